// What one job's steps share while it runs (the job-level state), and the frame a list of
// steps runs in: the job's own steps, or a composite action's steps with its `inputs`.
import type { ClaimedJob } from './protocol/wire.ts';
import type { RunnerApi } from './protocol/runner-api.ts';
import type { Executor, JobEnvironment } from './executor.ts';
import type { JobSpec, RunDefaults } from '../workflow/model.ts';
import type { RunStatus } from '../core/types.ts';
import type { LogWriter } from './log-writer.ts';
import type { JobPaths } from './job-context.ts';
import type { ExprContext, HashFiles, StatusFlags } from './expression-adapter.ts';
import type { CommandSink } from './workflow-commands.ts';

interface StepRecord {
  outputs: Record<string, string>;
  outcome: RunStatus;
  conclusion: RunStatus;
}

export interface StepResult {
  status: RunStatus;
  exitCode: number | null;
  outputs: Record<string, string>;
}

/** Runs after all steps, in reverse order of registration, like GitHub's "Post" steps. */
export interface PostStep {
  name: string;
  /**
   * `always`: runs whatever happened; `success`: only if the job has not failed; a function:
   * evaluated when the post step's turn comes (a JavaScript or Docker action's `post-if`).
   */
  condition: 'always' | 'success' | (() => boolean);
  /** Returns the post step's status when it decides it (an action's process); else success unless it throws. */
  run(): Promise<RunStatus | void>;
}

export interface JobState {
  claimed: ClaimedJob;
  api: RunnerApi;
  paths: JobPaths;
  log: LogWriter;
  jobEnv: Record<string, string>;
  extraPath: string[];
  /** Aborted when the job is cancelled: what `cancelled()` and the job status read. */
  cancelSignal: AbortSignal;
  /**
   * Kills the running step. The cancel signal until the job is cancelled; after that, the
   * `always()`/`cancelled()` steps that still run get a fresh one, so they are not killed
   * before they start (GitHub runs them after a cancel).
   */
  signal: AbortSignal;
  spec: JobSpec;
  /** The workflow's and the job's `defaults.run`, evaluated when the job starts. */
  runDefaults: RunDefaults;
  /** The Slipway server as the runner reaches it (steps may reach it elsewhere: environment.serverUrl). */
  serverUrl: string;
  executor: Executor;
  /** What the executor set up: the network and `job.services` (empty until then). */
  environment: JobEnvironment;
  postSteps: PostStep[];
  hashFiles: HashFiles;
  /** 1-based number of the job's step running now (annotations carry it). */
  stepNumber: number;
  /** Uploads started by a step (annotations), awaited before the step is reported finished. */
  pending: Promise<unknown>[];
  /** Job-level: a step or post step failed (not continuing on error). */
  failed: boolean;
  /** The contexts an expression in `frame` sees. */
  context(frame: StepFrame): ExprContext;
  /** Where workflow commands in step output go. */
  commandSink(): CommandSink;
}

export interface StepFrame {
  /** The `steps` context of this list of steps. */
  steps: Record<string, StepRecord>;
  /** A step of this frame failed. */
  failed: boolean;
  /** A composite action's `inputs` (the job's own `inputs` context otherwise). */
  inputs?: Record<string, unknown>;
  /** A composite action's directory (`github.action_path`). */
  actionPath?: string;
  /** Env the composite's `uses:` step set, below each inner step's own `env`. */
  env: Record<string, string>;
  /** Composite nesting depth (0 for the job's steps). */
  depth: number;
}

export function statusFlags(state: JobState, frame: StepFrame): StatusFlags {
  return { failure: state.failed || frame.failed, cancelled: state.cancelSignal.aborted };
}

/**
 * Enters a step's result in its frame's `steps` context (when the step has an `id`) and
 * returns its conclusion: a failure that continues on error concludes `success`.
 */
export function recordStep(frame: StepFrame, id: string | undefined, result: StepResult, continueOnError: boolean): RunStatus {
  const conclusion = result.status === 'failure' && continueOnError ? 'success' : result.status;
  if (id) frame.steps[id] = { outputs: result.outputs, outcome: result.status, conclusion };
  return conclusion;
}

/** The result of a step whose `if` did not hold. */
export const skipped: StepResult = { status: 'skipped', exitCode: null, outputs: {} };

