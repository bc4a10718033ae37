// Runs a local composite action (`uses: ./path`): its inputs (given, else the default,
// else '' with a warning when required, as GitHub's runner does), its steps in their own
// `steps` context with `inputs` and `github.action_path`, and its outputs mapped from
// those steps. Nested composite actions recurse, to a bounded depth.
import { resolve, sep } from 'node:path';
import type { StepSpec } from '../../workflow/model.ts';
import type { JobState, StepFrame, StepResult } from '../job-state.ts';
import { recordStep, skipped, statusFlags } from '../job-state.ts';
import { evaluateIf, interpolateText } from '../expression-adapter.ts';
import { continuesOnError } from '../step-options.ts';
import { loadCompositeAction } from './action-file.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { ActionInputs } from './action.ts';

/** GitHub stops composite actions nested deeper than this. */
const maxDepth = 10;

/** `env` is the `uses:` step's own env (over its frame's), inherited by the action's steps. */
export interface CompositeRun extends ActionInputs {
  uses: string;
  frame: StepFrame;
  state: JobState;
  runStep: (step: StepSpec, frame: StepFrame, state: JobState) => Promise<StepResult>;
}

/**
 * Runs `c.uses` from the workspace (`./path`), or from `at.dir` for an action resolved
 * elsewhere (a remote one, remote-action.ts).
 */
export async function runCompositeAction(c: CompositeRun, at?: { dir: string; displayRoot: string }): Promise<StepResult> {
  const { state } = c;
  const { log, paths } = state;
  if (c.frame.depth >= maxDepth) throw new SlipwayError('WORKFLOW_INVALID', `${c.uses}: composite actions nested more than ${maxDepth} deep`);
  const dir = at?.dir ?? resolve(paths.workspace, c.uses.split('@')[0]!);
  if (!at && dir !== paths.workspace && !dir.startsWith(paths.workspace + sep)) throw new SlipwayError('WORKFLOW_INVALID', `${c.uses}: a local action must be inside the repository`);
  const action = loadCompositeAction(dir, at?.displayRoot ?? paths.workspace);

  const outer = { ...state.context(c.frame), env: { ...state.jobEnv, ...c.env } };
  const given = new Map(Object.entries(c.inputs).map(([k, v]) => [k.toLowerCase(), v]));
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = given.get(name.toLowerCase());
    given.delete(name.toLowerCase());
    if (value !== undefined) inputs[name] = value;
    else if (spec.default !== undefined) inputs[name] = interpolateText(spec.default, outer, state.hashFiles);
    else {
      if (spec.required) log.line(`##[warning]Input required and not supplied: ${name}`);
      inputs[name] = '';
    }
  }
  if (given.size > 0) {
    log.line(`##[warning]Unexpected input(s) '${[...given.keys()].join("', '")}', valid inputs are ['${Object.keys(action.inputs).join("', '")}']`);
  }

  const frame: StepFrame = { steps: {}, failed: false, inputs, actionPath: dir, env: c.env, depth: c.frame.depth + 1 };
  for (const step of action.steps) {
    const ctx = state.context(frame);
    if (!evaluateIf(step.if, ctx, statusFlags(state, frame), state.hashFiles)) {
      recordStep(frame, step.id, skipped, false);
      continue;
    }
    log.line(`> ${step.name}`);
    let continueOnError = false;
    try {
      continueOnError = continuesOnError(step, ctx, state);
    } catch (err) {
      log.line(`##[error]${(err as Error).message}`);
      frame.failed = true;
      continue;
    }
    const conclusion = recordStep(frame, step.id, await c.runStep(step, frame, state), continueOnError);
    if (conclusion === 'failure' || conclusion === 'cancelled') frame.failed = true;
  }

  const outputs: Record<string, string> = {};
  const ctx = state.context(frame);
  for (const [name, value] of Object.entries(action.outputs)) outputs[name] = interpolateText(value, ctx, state.hashFiles);
  const status = state.cancelSignal.aborted ? 'cancelled' : frame.failed ? 'failure' : 'success';
  return { status, exitCode: null, outputs };
}
