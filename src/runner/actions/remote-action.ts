// A remote action (`uses: owner/repo[/path]@ref`): the server resolves the ref to a commit
// through its action sources (RunnerApi.resolveAction, which records it on the run), the
// commit's tree is copied into the job's actions dir (`<owner>.<repo>.<sha>`, mounted
// read-only into the job container at the same path, outside the workspace), and the
// action in it runs as any action directory does (action-dir.ts: composite, JavaScript or Docker).
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { StepResult } from '../job-state.ts';
import { parseActionRef } from '../../git/actions/action-ref.ts';
import { SlipwayError } from '../../core/errors.ts';
import { runActionFromDir, type ActionFromDir } from './action-dir.ts';

/** `uses` is remote when it is no local path, no `docker://` and no built-in action. */
export async function runRemoteAction(c: Omit<ActionFromDir, 'dir' | 'displayRoot'>): Promise<StepResult> {
  const { state } = c;
  const ref = parseActionRef(c.uses);
  if ('problem' in ref) throw new SlipwayError('WORKFLOW_INVALID', ref.problem);
  const resolved = await state.api.resolveAction(state.claimed.id, c.uses);
  state.log.line(`Action ${c.uses} resolved to ${resolved.sha} (source ${resolved.source}${resolved.cached ? ', cached' : ''})`);
  // One level under the actions dir, made here: a host job's user may write in that dir
  // (sticky, like temp), and the runner, as root, must not follow a link it planted there.
  const copy = join(state.paths.actions, `${ref.owner.toLowerCase()}.${ref.repo.toLowerCase()}.${resolved.sha}`);
  if (!existsSync(copy)) {
    // Through a temp name: a copy cut short (a cancel) is never taken for a whole one.
    const partial = `${copy}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { mode: 0o755 }); // never follows a link: fails if anything is there
    cpSync(resolved.tree, partial, { recursive: true, verbatimSymlinks: true });
    renameSync(partial, copy);
  }
  const dir = resolve(copy, ref.path);
  if (dir !== copy && !dir.startsWith(copy + sep)) throw new SlipwayError('WORKFLOW_INVALID', `${c.uses}: the path leaves the repository`);
  return runActionFromDir({ ...c, dir, displayRoot: state.paths.actions });
}
