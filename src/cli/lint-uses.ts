// `slipway lint`'s check of every step's `uses:` (issue 12 item 1): before anything runs,
// each one is resolved as the runner would — built-in, `docker://`, a local action
// directory of the repository, or a remote `owner/repo[/path]@ref` through the action
// sources (cached, mirrored or reachable) — and every one that cannot be says why.
// Composite actions are followed into their own steps, to a bounded depth.
import { resolve, sep } from 'node:path';
import type { Diagnostic } from '../core/errors.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { StepSpec, Workflow } from '../workflow/model.ts';
import { findAction } from '../runner/actions/index.ts';
import { findActionFile, loadAction } from '../runner/actions/action-file.ts';
import { parseActionRef } from '../git/actions/action-ref.ts';
import type { ActionSources } from '../git/actions/action-sources.ts';

/** As composite-run.ts: GitHub stops composite actions nested deeper than this. */
const maxDepth = 10;

interface UsesCheck {
  /** The repository's root: local actions (`./x`) are found there. */
  root: string;
  sources: ActionSources;
}

/** One diagnostic per `uses:` of `workflows`' steps that cannot be resolved. */
export async function usesDiagnostics(workflows: Workflow[], c: UsesCheck): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const visit = async (steps: StepSpec[], where: (step: StepSpec) => Omit<Diagnostic, 'message'>, depth: number): Promise<void> => {
    for (const step of steps) {
      const uses = step.uses;
      if (uses === undefined || uses.startsWith('docker://') || uses.includes('${{')) continue;
      const at = (message: string) => out.push({ ...where(step), message });
      if (uses.startsWith('./')) {
        const dir = resolve(c.root, uses.split('@')[0]!);
        if (dir !== c.root && !dir.startsWith(c.root + sep)) at(`local action \`${uses}\` points outside the repository`);
        else if (!findActionFile(dir)) at(`local action \`${uses}\`: no action.yml or action.yaml in ${uses}`);
        else await follow(dir, uses, at, depth);
        continue;
      }
      if (findAction(uses)) continue;
      const ref = parseActionRef(uses);
      if ('problem' in ref) {
        at(`${ref.problem}; Slipway runs built-in actions, local actions (./path), docker://image and remote actions`);
        continue;
      }
      try {
        const r = await c.sources.resolve(ref);
        const dir = resolve(r.tree, ref.path);
        if (!findActionFile(dir)) at(`action \`${uses}\` (${r.sha.slice(0, 12)}, source ${r.source}) has no action.yml or action.yaml${ref.path ? ` in ${ref.path}` : ''}`);
        else await follow(dir, uses, at, depth);
      } catch (err) {
        if (!isSlipwayError(err, 'ACTION_UNRESOLVED')) throw err;
        at(`cannot resolve: ${err.message}`);
      }
    }
  };
  /** The action's metadata, read as the runner would; a composite action's own steps in turn. */
  const follow = async (dir: string, uses: string, at: (m: string) => void, depth: number): Promise<void> => {
    if (seen.has(dir)) return;
    seen.add(dir);
    if (depth >= maxDepth) return at(`\`${uses}\`: composite actions nested more than ${maxDepth} deep`);
    let action;
    try {
      action = loadAction(dir, dir);
    } catch (err) {
      // An action.yml the runner would refuse (unknown runs.using, a missing main): said now, with its line.
      if (!isSlipwayError(err, 'WORKFLOW_INVALID')) throw err;
      return at(`action \`${uses}\`: ${err.message}`);
    }
    if (action.runs.using !== 'composite') return;
    await visit(action.runs.steps, (s) => ({ ...s.pos, file: `${uses}/${s.pos.file}`, path: `runs.steps[${s.index}].uses` }), depth + 1);
  };
  for (const w of workflows) {
    for (const job of w.jobs) await visit(job.steps, (s) => ({ ...s.pos, path: `jobs.${job.id}.steps[${s.index}].uses` }), 0);
  }
  return out;
}
