// Built-in actions run natively in the runner (no JavaScript action runtime, no download).
import type { ClaimedJob } from '../protocol/wire.ts';
import type { RunnerApi } from '../protocol/runner-api.ts';
import type { JobPaths } from '../job-context.ts';
import type { LogWriter } from '../log-writer.ts';
import type { PostStep } from '../job-state.ts';

/** What a `uses:` step hands every kind of action (built-in, composite, `docker://`). */
export interface ActionInputs {
  /** `with:` values, interpolated. */
  inputs: Record<string, string>;
  /** The step's environment (a composite action gets only the step's own `env:`, see composite-run.ts). */
  env: Record<string, string>;
}

export interface ActionContext extends ActionInputs {
  claimed: ClaimedJob;
  api: RunnerApi;
  paths: JobPaths;
  log: LogWriter;
  signal: AbortSignal;
  /** The step's display name (post steps are named after it). */
  stepName: string;
  /** Registers work to run after all the job's steps (actions/cache saves there). */
  addPostStep(step: PostStep): void;
  /** Whether the job has failed so far. */
  jobFailed(): boolean;
  /**
   * Runs a shell script where the job's steps run (its container, or its user on the host),
   * with the job's privileges, never the runner's: for work on files the job controls.
   */
  runInJob(script: string): Promise<{ exitCode: number; output: string }>;
}

interface ActionResult {
  outputs?: Record<string, string>;
}

export type BuiltInAction = (ctx: ActionContext) => Promise<ActionResult>;
