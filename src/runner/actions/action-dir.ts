// The one way to run an action that lives in a directory: a local `./path` in the
// repository, or (resolved elsewhere) a remote action's cached checkout. Loads its
// action.yml and runs it by `runs.using`: composite (composite-run.ts), node12…node24
// (node-action.ts) or docker (docker-action.ts).
import { resolve, sep } from 'node:path';
import type { StepSpec } from '../../workflow/model.ts';
import type { JobState, StepFrame, StepResult } from '../job-state.ts';
import type { ExprContext } from '../expression-adapter.ts';
import { SlipwayError } from '../../core/errors.ts';
import { loadAction } from './action-file.ts';
import { runCompositeAction } from './composite-run.ts';
import { runNodeAction } from './node-action.ts';
import { runDockerAction } from './docker-action.ts';
import { inputVariables, resolveInputs } from './action-inputs.ts';

export interface ActionFromDir {
  /** The step's `uses:` text, for messages. */
  uses: string;
  /** The directory holding action.yml (or action.yaml). */
  dir: string;
  /** Where file names in messages are relative to (default: the job's workspace). */
  displayRoot?: string;
  step: StepSpec;
  /** `with:` values, interpolated. */
  inputs: Record<string, string>;
  /** The step's whole environment (job env, frame env, its own `env:`). */
  env: Record<string, string>;
  /** Only the step's own `env:` over its frame's: what a composite action's steps inherit. */
  ownEnv: Record<string, string>;
  frame: StepFrame;
  state: JobState;
  timeoutMs: number;
  runStep: (step: StepSpec, frame: StepFrame, state: JobState) => Promise<StepResult>;
}

/** What the JavaScript and Docker runners get besides the options. */
export interface ActionRun extends ActionFromDir {
  /** action.yml's name in messages. */
  file: string;
  /** INPUT_<NAME> for every input (declared with its default, or given); GITHUB_ACTION is in `env` (step-runner.ts). */
  actionEnv: Record<string, string>;
  /** The contexts the action's own expressions see (`inputs` is the action's). */
  context: ExprContext;
}

/** The directory of a local `uses: ./path` action, which must be inside the repository. */
export function localActionDir(uses: string, workspace: string): string {
  const dir = resolve(workspace, uses.split('@')[0]!);
  if (dir !== workspace && !dir.startsWith(workspace + sep)) throw new SlipwayError('WORKFLOW_INVALID', `${uses}: a local action must be inside the repository`);
  return dir;
}

export async function runActionFromDir(o: ActionFromDir): Promise<StepResult> {
  const { state } = o;
  const action = loadAction(o.dir, o.displayRoot ?? state.paths.workspace);
  const { runs } = action;
  if (runs.using === 'composite') {
    return runCompositeAction({ uses: o.uses, dir: o.dir, action: { ...action, runs }, inputs: o.inputs, env: o.ownEnv, frame: o.frame, state, runStep: o.runStep });
  }
  const outer = { ...state.context(o.frame), env: o.env };
  const { inputs, extra } = resolveInputs(action.inputs, o.inputs, outer, state);
  const run: ActionRun = {
    ...o,
    file: action.file,
    actionEnv: inputVariables({ ...inputs, ...extra }),
    context: { ...state.context({ ...o.frame, inputs, actionPath: o.dir }), env: o.env },
  };
  return runs.using === 'docker' ? runDockerAction(run, runs) : runNodeAction(run, runs);
}
