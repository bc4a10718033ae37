// The `pre`, `main` and `post` stages of a JavaScript or Docker action (docs.github.com
// "Metadata syntax" §runs.pre, §runs.post): pre when `pre-if` holds (default `always()`),
// then main; post is registered once main is about to run and runs after all the job's
// steps, last registered first, as "Post <step name>" when `post-if` holds (default
// `always()`). What a stage saves with $GITHUB_STATE or `::save-state` reaches the later
// stages as STATE_<name>.
//
// Unlike GitHub, whose runner runs `pre` at job start for downloaded actions and never for
// local ones (their files are not there yet), Slipway checks the commit out before the
// first step, and runs `pre` at the start of the action's own step, just before `main`.
import type { RunStatus } from '../../core/types.ts';
import type { OutputSink } from '../../core/types.ts';
import type { StepOutcome } from '../executor.ts';
import type { JobState, StepFrame, StepResult } from '../job-state.ts';
import { statusFlags } from '../job-state.ts';
import { evaluateIf } from '../expression-adapter.ts';
import { WorkflowCommandProcessor } from '../workflow-commands.ts';
import { parseKeyValueFile, takeFile, takeFileCommands } from '../file-commands.ts';

interface StageResult extends StepResult {
  /** What the stage saved for the next ones. */
  saved: Record<string, string>;
}

/** Runs a stage's process with its saved state (STATE_* variables) in its environment. */
type Stage = (stateVars: Record<string, string>) => Promise<StageResult>;

interface StagedAction {
  state: JobState;
  /** The frame of the calling step: `pre-if`/`post-if` see its contexts and status. */
  frame: StepFrame;
  stepName: string;
  preIf?: string;
  postIf?: string;
  pre?: Stage;
  main: Stage;
  post?: Stage;
}

export async function runStages(a: StagedAction): Promise<StepResult> {
  const { state, frame } = a;
  const saved: Record<string, string> = {};
  const stateVars = () => Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v]));
  const holds = (condition: string | undefined) => evaluateIf(condition ?? 'always()', state.context(frame), statusFlags(state, frame), state.hashFiles);
  if (a.pre && holds(a.preIf)) {
    state.log.line(`> Pre ${a.stepName}`);
    const pre = await a.pre(stateVars());
    Object.assign(saved, pre.saved);
    takeFileCommands(state);
    if (pre.status !== 'success') return { status: pre.status, exitCode: pre.exitCode, outputs: {} };
  }
  const post = a.post;
  if (post) {
    state.postSteps.push({
      name: `Post ${a.stepName}`,
      condition: () => {
        try {
          return holds(a.postIf);
        } catch (err) {
          state.log.line(`##[error]post-if of ${a.stepName}: ${(err as Error).message}`);
          state.failed = true;
          return false;
        }
      },
      run: async () => {
        const result = await post(stateVars());
        takeFileCommands(state);
        return result.status;
      },
    });
  }
  const main = await a.main(stateVars());
  Object.assign(saved, main.saved);
  return main;
}

interface StageProcess {
  state: JobState;
  /** What failed, for the error line: "Process" or "Container IMAGE". */
  what: string;
  timeoutMs: number;
  start(onOutput: OutputSink): Promise<StepOutcome>;
}

/**
 * One stage's process, its output read for workflow commands (`::set-output` gives
 * outputs, `::save-state` state) and $GITHUB_STATE read afterwards (over `::save-state`).
 */
export async function runStageProcess(p: StageProcess): Promise<StageResult> {
  const { state } = p;
  const commands = new WorkflowCommandProcessor(state.commandSink());
  let outcome: StepOutcome;
  try {
    outcome = await p.start((t) => commands.write(t));
  } finally {
    commands.end();
  }
  const saved = { ...commands.state, ...parseKeyValueFile(takeFile(state.paths.files.state)) };
  const result = { status: stageStatus(state, p, outcome), exitCode: outcome.exitCode, outputs: commands.outputs, saved };
  return result;
}

function stageStatus(state: JobState, p: StageProcess, outcome: StepOutcome): RunStatus {
  if (outcome.cancelled) return 'cancelled';
  if (outcome.timedOut) {
    state.log.line(`##[error]The step timed out after ${p.timeoutMs / 60_000} minutes.`);
    return 'failure';
  }
  if (outcome.exitCode !== 0) {
    state.log.line(`##[error]${p.what} completed with exit code ${outcome.exitCode}.`);
    return 'failure';
  }
  return 'success';
}
