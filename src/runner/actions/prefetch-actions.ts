// GitHub's "Download action repository" step of job set-up: every remote action the job's
// own steps use is resolved before the first step runs, so a job whose action cannot be had
// (a missing ref, an unreachable source, no access) fails up front, naming the step's line
// and the action, instead of after its earlier steps ran (and maybe deployed something).
// Actions inside composite actions are resolved when they run, as on GitHub.
import type { JobState } from '../job-state.ts';
import { findAction } from './index.ts';
import { parseActionRef } from '../../git/actions/action-ref.ts';
import { SlipwayError, isSlipwayError } from '../../core/errors.ts';

/** `uses` that go through the action sources: not local, `docker://`, built in or an expression. */
export const isRemoteUses = (uses: string): boolean => !uses.startsWith('./') && !uses.startsWith('docker://') && !uses.includes('${{') && !findAction(uses);

export async function prefetchActions(state: JobState): Promise<void> {
  const seen = new Set<string>();
  for (const step of state.spec.steps) {
    const uses = step.uses;
    if (uses === undefined || !isRemoteUses(uses) || seen.has(uses)) continue;
    seen.add(uses);
    const where = `${step.pos.file}:${step.pos.line}:${step.pos.column}: step ${step.index + 1} (${step.name})`;
    const ref = parseActionRef(uses);
    if ('problem' in ref) throw new SlipwayError('WORKFLOW_INVALID', `${where}: ${ref.problem}`);
    try {
      const r = await state.api.resolveAction(state.claimed.id, uses);
      state.log.line(`Download action repository '${uses}' (SHA:${r.sha}, source ${r.source}${r.cached ? ', cached' : ''})`);
    } catch (err) {
      if (!isSlipwayError(err)) throw err;
      throw new SlipwayError(err.code, `${where}: ${err.message}`);
    }
  }
}
