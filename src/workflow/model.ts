// The parsed workflow: what `parse-workflow.ts` produces from YAML and what the planner,
// scheduler and runner consume. Every node keeps the position it came from so errors and
// the UI can point at the user's file.
import type { SourcePosition } from '../core/errors.ts';

export interface Workflow {
  /** Path inside the repository, e.g. `.slipway/workflows/ci.yml`. */
  file: string;
  name: string;
  on: Triggers;
  env: Record<string, string>;
  defaults: RunDefaults;
  jobs: JobSpec[];
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface Triggers {
  push?: RefFilter;
  workflowDispatch?: Record<string, never>;
}

/** `on.push` filters, GitHub glob syntax. An empty filter matches everything. */
export interface RefFilter {
  branches?: string[];
  branchesIgnore?: string[];
  tags?: string[];
  tagsIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
}

export interface ContainerSpec {
  image: string;
  env: Record<string, string>;
  options?: string;
}

export interface JobSpec {
  /** The key under `jobs:`. */
  id: string;
  name: string;
  needs: string[];
  /** `runs-on` labels; a string becomes a one-element list. */
  runsOn: string[];
  /** Raw expression text of `if:` without `${{ }}`; undefined means `success()`. */
  if?: string;
  env: Record<string, string>;
  defaults: RunDefaults;
  container?: ContainerSpec;
  timeoutMinutes: number;
  /** `timeout-minutes: ${{ … }}`: evaluated when the job starts; `timeoutMinutes` is the default meanwhile. */
  timeoutMinutesExpression?: string;
  continueOnError: boolean;
  /** `continue-on-error: ${{ … }}` (e.g. from the matrix); `continueOnError` is false meanwhile. */
  continueOnErrorExpression?: string;
  outputs: Record<string, string>;
  steps: StepSpec[];
  pos: SourcePosition;
}

export interface StepSpec {
  /** 0-based position in the job. */
  index: number;
  id?: string;
  /** Display name: `name:`, else as GitHub shows it: `Run <first line of run>` or `Run <uses>`. */
  name: string;
  if?: string;
  run?: string;
  uses?: string;
  with: Record<string, string>;
  env: Record<string, string>;
  shell?: string;
  workingDirectory?: string;
  timeoutMinutes?: number;
  /** `timeout-minutes: ${{ … }}`, evaluated when the step starts. */
  timeoutMinutesExpression?: string;
  continueOnError: boolean;
  /** `continue-on-error: ${{ … }}`, evaluated when the step starts; `continueOnError` is false meanwhile. */
  continueOnErrorExpression?: string;
  pos: SourcePosition;
}

/** One job to run: a job spec (later: one matrix leg of it) with resolved dependencies. */
export interface PlannedJob {
  /** Unique in the run: the job id, or `id (a, b)` for a matrix leg. */
  key: string;
  jobId: string;
  name: string;
  /** Keys of planned jobs this one waits for. */
  needs: string[];
  runsOn: string[];
  matrix?: Record<string, unknown>;
}

export interface Plan {
  workflow: string;
  jobs: PlannedJob[];
}
