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
  /** `run-name`: an expression template evaluated with `github` and `inputs` when the run starts. */
  runName?: string;
  concurrency?: ConcurrencySpec;
  /** `permissions`, recorded as written (`read-all`, `write-all` or scope → level). */
  permissions?: string | Record<string, string>;
}

/** `concurrency` (workflow or job): `group` is an expression template. */
export interface ConcurrencySpec {
  group: string;
  /** `true`/`false`, or an expression evaluated when the run or job is queued. */
  cancelInProgress: boolean | string;
}

/** A typed input of `workflow_dispatch` or `workflow_call`. */
export interface InputSpec {
  type: 'string' | 'boolean' | 'number' | 'choice' | 'environment';
  description?: string;
  required: boolean;
  /** As written; typed when the run starts. */
  default?: string | number | boolean;
  /** `choice` only. */
  options?: string[];
}

export interface WorkflowCallSpec {
  inputs: Record<string, InputSpec>;
  secrets: Record<string, { required: boolean; description?: string }>;
  /** Output name → expression (usually `${{ jobs.<id>.outputs.<name> }}`). */
  outputs: Record<string, string>;
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface Triggers {
  push?: RefFilter;
  workflowDispatch?: { inputs: Record<string, InputSpec> };
  /** `schedule: [{cron}]`: five-field POSIX cron, evaluated in UTC. */
  schedule?: { cron: string }[];
  workflowCall?: WorkflowCallSpec;
  /** `repository_dispatch` (API triggered); `types` filters `event_type`, empty = all. */
  repositoryDispatch?: { types: string[] };
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

/** `credentials` of a container or service: a registry login for the pull, never shown. */
export interface RegistryCredentials {
  /** Expression templates (usually `${{ secrets.X }}`), evaluated when the job starts. */
  username: string;
  password: string;
}

export interface ContainerSpec {
  image: string;
  env: Record<string, string>;
  options?: string;
  credentials?: RegistryCredentials;
  /** `ports` as written: `"5432"`, `"8080:80"`; published on 127.0.0.1. */
  ports?: string[];
  /** `volumes` as written: `name:/path`, `/path` (anonymous), `/host:/path` (where the runner allows host paths). */
  volumes?: string[];
}

/** `services.<name>`: a sidecar container reachable as `<name>` (or localhost:port from the host). */
export interface ServiceSpec {
  image: string;
  env: Record<string, string>;
  /** `ports` as written: `"5432"`, `"8080:80"`. */
  ports: string[];
  options?: string;
  credentials?: RegistryCredentials;
  volumes?: string[];
  /** `entrypoint`: replaces the image's ENTRYPOINT (one executable). */
  entrypoint?: string;
  /** `command`: replaces the image's CMD; split into words as a shell would. */
  command?: string;
}

/** `strategy` of a job. */
export interface StrategySpec {
  /** A literal matrix, or `${{ … }}` evaluated when the job's needs have finished. */
  matrix?: MatrixSpec | string;
  failFast: boolean;
  /** `fail-fast: ${{ … }}`: evaluated when the job is queued; `failFast` (true) meanwhile. */
  failFastExpression?: string;
  maxParallel?: number;
  /** `max-parallel: ${{ … }}`, likewise. */
  maxParallelExpression?: string;
}

export interface MatrixSpec {
  /** Axis name → values (values may be any JSON; an axis may itself be an expression). */
  axes: Record<string, unknown[] | string>;
  include: Record<string, unknown>[];
  exclude: Record<string, unknown>[];
  /** `include: ${{ … }}`: evaluated with the rest (matrix.ts resolveMatrix); `include` is empty meanwhile. */
  includeExpression?: string;
  /** `exclude: ${{ … }}`, likewise. */
  excludeExpression?: string;
}

export interface JobSpec {
  /** The key under `jobs:`. */
  id: string;
  name: string;
  needs: string[];
  /**
   * `runs-on` labels; a string becomes a one-element list. `runs-on: { group, labels }`
   * adds the group's name as one more label (docs/workflow.md "Runner groups").
   */
  runsOn: string[];
  /** `runs-on.group`, as written (already among `runsOn`). */
  runsOnGroup?: string;
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
  /**
   * `retry-on-crash: false` (a Slipway extension, docs/workflow.md): the job is not safe to
   * repeat, so an attempt interrupted by a crash or a lost runner fails it instead of running
   * it again. Absent: true.
   */
  retryOnCrash?: false;
  outputs: Record<string, string>;
  /** Empty for a job that calls a reusable workflow (`uses`). */
  steps: StepSpec[];
  strategy?: StrategySpec;
  services: Record<string, ServiceSpec>;
  /**
   * The deploy gate hook: `environment: name` or `{ name, url, deployment }` (name and url
   * may be expressions). `deployment: false` uses the environment's secrets and gate
   * without recording a deployment.
   */
  environment?: { name: string; url?: string; deployment?: false };
  /** `snapshot` (GitHub's custom runner images): read and checked; Slipway takes no snapshot. */
  snapshot?: { imageName: string; version?: string; if?: string };
  /** `cancel-timeout-minutes`: how long a cancelled job may take to stop. */
  cancelTimeoutMinutes?: number;
  concurrency?: ConcurrencySpec;
  /** Job-level `permissions`, recorded as written. */
  permissions?: string | Record<string, string>;
  /** A reusable workflow in the same repository: `./.github/workflows/x.yml`. */
  uses?: string;
  /** `with:` for a reusable workflow call. */
  with: Record<string, string>;
  /** `secrets:` for a reusable workflow call: `inherit`, or name → expression. */
  secrets?: 'inherit' | Record<string, string>;
  pos: SourcePosition;
  /** Where some keys were written (`uses`, `permissions`, `with.<name>`, `secrets.<name>`), for checks made after parsing. */
  keyPos?: Record<string, { line: number; column: number }>;
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

/** One job to run: a job spec, or one matrix leg of it, with resolved dependencies. */
export interface PlannedJob {
  /** Unique in the run: the job id, or `id (a, b)` for a matrix leg. */
  key: string;
  jobId: string;
  name: string;
  /** Keys of planned jobs this one waits for (every leg of a matrix job it needs). */
  needs: string[];
  runsOn: string[];
  matrix?: Record<string, unknown>;
  /** A job whose matrix is an expression over `needs`: expanded into legs once they finish. */
  deferredMatrix?: boolean;
  /** For a job of a called reusable workflow: that workflow's path (its spec lives there). */
  workflow?: string;
  /** For a job of a called reusable workflow: the calling job's id. */
  caller?: string;
  /** Planned-key prefix of the calling job or leg (`deploy (prod)`, `outer/mid` when nested). */
  callerKey?: string;
  /** Path of the workflow that holds the calling job (absent: the run's own workflow). */
  callerWorkflow?: string;
  /** Matrix values of the calling leg, for evaluating its `with`/`secrets`. */
  callerMatrix?: Record<string, unknown>;
}

export interface Plan {
  workflow: string;
  jobs: PlannedJob[];
  /** Reusable workflows the run calls, by path. */
  called?: Record<string, Workflow>;
}
