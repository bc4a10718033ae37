// Runs a composite action (`runs.using: composite`): its inputs (action-inputs.ts), its
// steps in their own `steps` context with `inputs` and `github.action_path`, and its
// outputs mapped from those steps. Nested composite actions recurse, to a bounded depth.
import type { StepSpec } from '../../workflow/model.ts';
import type { JobState, StepFrame, StepResult } from '../job-state.ts';
import { recordStep, skipped, statusFlags } from '../job-state.ts';
import { evaluateIf, interpolateText } from '../expression-adapter.ts';
import { continuesOnError } from '../step-options.ts';
import type { ActionDefinition } from './action-file.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { ActionInputs } from './action.ts';
import { resolveInputs } from './action-inputs.ts';

/** GitHub stops composite actions nested deeper than this. */
const maxDepth = 10;

/** `env` is the `uses:` step's own env (over its frame's), inherited by the action's steps. */
interface CompositeRun extends ActionInputs {
  uses: string;
  dir: string;
  action: ActionDefinition & { runs: { using: 'composite' } };
  frame: StepFrame;
  state: JobState;
  runStep: (step: StepSpec, frame: StepFrame, state: JobState) => Promise<StepResult>;
}

export async function runCompositeAction(c: CompositeRun): Promise<StepResult> {
  const { state } = c;
  const { log } = state;
  if (c.frame.depth >= maxDepth) throw new SlipwayError('WORKFLOW_INVALID', `${c.uses}: composite actions nested more than ${maxDepth} deep`);
  const { action, dir } = c;
  const outer = { ...state.context(c.frame), env: { ...state.jobEnv, ...c.env } };
  const { inputs } = resolveInputs(action.inputs, c.inputs, outer, state);

  const frame: StepFrame = { steps: {}, failed: false, inputs, actionPath: dir, env: c.env, depth: c.frame.depth + 1 };
  for (const step of action.runs.steps) {
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
