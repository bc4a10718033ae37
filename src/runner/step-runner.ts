// Runs one step — a `run:` script through the job's executor, or a `uses:` action (a
// directory's composite, JavaScript or Docker action, `docker://`, built-in) — and
// collects what it wrote to $GITHUB_ENV, $GITHUB_OUTPUT and $GITHUB_PATH. The same function runs a job's steps and, recursively,
// a composite action's steps.
import { resolve } from 'node:path';
import type { StepSpec } from '../workflow/model.ts';
import type { RunStatus } from '../core/types.ts';
import { interpolateText } from './expression-adapter.ts';
import type { JobState, StepFrame, StepResult } from './job-state.ts';
import { takeFileCommands } from './file-commands.ts';
import { findAction } from './actions/index.ts';
import { localActionDir, runActionFromDir } from './actions/action-dir.ts';
import { runDockerStep } from './actions/docker-step.ts';
import { inputVariables } from './actions/action-inputs.ts';
import { tokenize } from './executors/shell-command.ts';
import { runRemoteAction } from './actions/remote-action.ts';
import { WorkflowCommandProcessor } from './workflow-commands.ts';
import { SlipwayError } from '../core/errors.ts';
import { timeoutMs } from './step-options.ts';
import { stepEnv, stepEnvAt } from './job-context.ts';

export async function runStep(step: StepSpec, frame: StepFrame, state: JobState): Promise<StepResult> {
  const { log, paths } = state;
  const ctx = state.context(frame);
  const env: Record<string, string> = { ...state.jobEnv, ...frame.env };
  if (frame.actionPath) env.GITHUB_ACTION_PATH = frame.actionPath;
  /** This step's own `env` over its frame's: what a composite action's steps inherit. */
  const ownEnv: Record<string, string> = { ...frame.env };
  let status: RunStatus = 'success';
  let exitCode: number | null = null;
  let outputs: Record<string, string> = {};
  /** `::set-output` lines: below what the step wrote to $GITHUB_OUTPUT, as on GitHub. */
  let commandOutputs: Record<string, string> = {};
  try {
    for (const [k, v] of Object.entries(step.env)) env[k] = ownEnv[k] = interpolateText(v, { ...ctx, env }, state.hashFiles);
    // GITHUB_ACTION and friends, after the step's own env (GITHUB_* cannot be overwritten); a
    // composite action's steps are numbered among themselves.
    Object.assign(env, frame.depth === 0 ? stepEnvAt(state.spec.steps, step.index) : stepEnv(step));
    if (state.extraPath.length > 0) env.PATH = [...state.extraPath].reverse().join(':') + ':' + (env.PATH ?? process.env.PATH ?? '');
    const exprCtx = { ...ctx, env };
    const stepTimeout = timeoutMs(step, exprCtx, state) ?? state.spec.timeoutMinutes * 60_000;
    if (step.uses) {
      const inputs: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with)) inputs[k] = interpolateText(v, exprCtx, state.hashFiles);
      const r = await runUses(step, inputs, env, ownEnv, frame, state, stepTimeout);
      status = r.status;
      exitCode = r.exitCode;
      outputs = r.outputs;
    } else {
      if (frame.depth > 0 && !step.shell) {
        // GitHub requires `shell` on every `run` step of a composite action.
        throw new SlipwayError('WORKFLOW_INVALID', `${frame.actionPath}: step "${step.name}" has \`run\` without the \`shell\` composite actions require`);
      }
      // `defaults.run` was evaluated when the job started (job-setup.ts); a composite's steps don't inherit it.
      const defaults = frame.depth > 0 ? {} : state.runDefaults;
      const workdir = step.workingDirectory !== undefined ? interpolateText(step.workingDirectory, exprCtx, state.hashFiles) : defaults.workingDirectory;
      const r = await runScript(state, {
        script: interpolateText(step.run ?? '', exprCtx, state.hashFiles),
        shell: step.shell ?? defaults.shell,
        // Relative to the workspace; an absolute path is used as it is (as on GitHub).
        cwd: workdir ? resolve(paths.workspace, workdir) : paths.workspace,
        env,
        timeoutMs: stepTimeout,
      });
      status = r.status;
      exitCode = r.exitCode;
      commandOutputs = r.outputs;
    }
  } catch (err) {
    // The step's kill signal fires only on a cancel (or a lost lease, which cancels too).
    status = state.signal.aborted ? 'cancelled' : 'failure';
    log.line(`##[error]${(err as Error).message}`);
  }
  try {
    outputs = { ...commandOutputs, ...takeFileCommands(state), ...outputs };
  } catch (err) {
    log.line(`##[error]${(err as Error).message}`);
    status = 'failure';
  }
  return { status, exitCode, outputs };
}

async function runUses(step: StepSpec, inputs: Record<string, string>, env: Record<string, string>, ownEnv: Record<string, string>, frame: StepFrame, state: JobState, stepTimeout: number): Promise<StepResult> {
  const uses = step.uses!;
  if (uses.startsWith('./')) {
    return runActionFromDir({ uses, dir: localActionDir(uses, state.paths.workspace), step, inputs, env, ownEnv, frame, state, timeoutMs: stepTimeout, runStep });
  }
  if (uses.startsWith('docker://')) {
    // `with.entrypoint` and `with.args` are the container's; the other inputs are INPUT_*.
    const { entrypoint, args, ...rest } = inputs;
    return runDockerStep({ image: uses.slice('docker://'.length), env: { ...env, ...inputVariables(rest) }, entrypoint, args: tokenize(args ?? ''), state, timeoutMs: stepTimeout });
  }
  const action = findAction(uses);
  // Not built in: an action of another repository, resolved through the server's action sources.
  if (!action) return runRemoteAction({ uses, step, inputs, env, ownEnv, frame, state, timeoutMs: stepTimeout, runStep });
  const result = await action({
    claimed: state.claimed, api: state.api, paths: state.paths, log: state.log, inputs, env, signal: state.signal,
    stepName: step.name,
    addPostStep: (p) => state.postSteps.push(p),
    jobFailed: () => state.failed,
    runInJob: async (script) => {
      let output = '';
      const outcome = await state.executor.run({ script, shell: 'sh', env, cwd: state.paths.workspace, signal: state.signal, onOutput: (t) => (output = (output + t).slice(-16_384)) });
      return { exitCode: outcome.exitCode, output };
    },
  });
  return { status: 'success', exitCode: null, outputs: result.outputs ?? {} };
}

interface ScriptCommand {
  script: string;
  shell?: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/** A `run:` script through the job's executor, its output read for workflow commands. */
async function runScript(state: JobState, c: ScriptCommand): Promise<StepResult> {
  const { log } = state;
  const commands = new WorkflowCommandProcessor(state.commandSink());
  const outcome = await state.executor.run({
    script: c.script,
    shell: c.shell,
    // Only the job's own variables: the server's environment must never reach a step (an
    // executor that runs on the caller's behalf, `slipway run`'s shell, adds its own base).
    env: c.env,
    cwd: c.cwd,
    timeoutMs: c.timeoutMs,
    signal: state.signal,
    onOutput: (t) => commands.write(t),
  });
  commands.end();
  // `::save-state` in a `run:` step is accepted and warned about, as on GitHub, where only
  // an action's own post step would read it (there is none for a script).
  const { outputs } = commands;
  if (outcome.cancelled) {
    log.line('##[error]The step was cancelled.');
    return { status: 'cancelled', exitCode: outcome.exitCode, outputs };
  }
  if (outcome.timedOut) {
    log.line(`##[error]The step timed out after ${c.timeoutMs / 60_000} minutes; its processes were killed.`);
    return { status: 'failure', exitCode: outcome.exitCode, outputs };
  }
  if (outcome.exitCode !== 0) {
    log.line(`##[error]Process completed with exit code ${outcome.exitCode}.`);
    return { status: 'failure', exitCode: outcome.exitCode, outputs };
  }
  return { status: 'success', exitCode: 0, outputs };
}
