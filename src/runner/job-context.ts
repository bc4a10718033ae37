// The `github`, `runner`, `env` … contexts a job's expressions see, and the GITHUB_* /
// RUNNER_* / SLIPWAY_* environment variables its steps get (docs.github.com "Variables
// reference" §Default environment variables; the table in docs/workflow.md).
import type { ClaimedJob } from './protocol/wire.ts';
import type { StepSpec } from '../workflow/model.ts';

export interface JobPaths {
  workspace: string;
  temp: string;
  /** Remote actions' trees, copied in per job (`<owner>.<repo>.<sha>`); mounted read-only, outside the workspace. */
  actions: string;
  /** RUNNER_TOOL_CACHE: where setup actions keep the tools they fetch. */
  toolCache: string;
  /** GITHUB_EVENT_PATH: `github.event` as JSON, written when the job starts. */
  event: string;
  /**
   * Files the runner gives each step: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH,
   * GITHUB_STEP_SUMMARY, and GITHUB_STATE (only to actions: runner/actions/node-action.ts).
   */
  files: { env: string; output: string; path: string; summary: string; state: string };
}

/** The server's `github` context of the job plus what only the runner knows. */
export function runnerGithubContext(claimed: ClaimedJob, serverUrl: string, paths: Pick<JobPaths, 'workspace' | 'event'>) {
  return {
    ...claimed.contexts.github,
    // The job's token, as GitHub's `github.token` (and `secrets.GITHUB_TOKEN`, see job-run.ts).
    token: claimed.token,
    workspace: paths.workspace,
    event_path: paths.event,
    ...serverUrls(serverUrl),
    action_path: '',
  };
}

/** `github.server_url`, `github.api_url` and `github.graphql_url` for a server reached at `serverUrl`. */
export function serverUrls(serverUrl: string): { server_url: string; api_url: string; graphql_url: string } {
  return { server_url: serverUrl, api_url: `${serverUrl}/api`, graphql_url: `${serverUrl}/api/graphql` };
}

/**
 * Points the default variables at the server as steps reach it, once the executor has said
 * where that is (a job container reaches it through a forwarder on its network's gateway).
 */
export function useServerUrl(env: Record<string, string>, serverUrl: string): void {
  const urls = serverUrls(serverUrl);
  for (const prefix of ['GITHUB_', 'SLIPWAY_']) {
    env[`${prefix}SERVER_URL`] = urls.server_url;
    env[`${prefix}API_URL`] = urls.api_url;
    env[`${prefix}GRAPHQL_URL`] = urls.graphql_url;
  }
}

/** RUNNER_ARCH as GitHub spells it (X86, X64, ARM, ARM64). */
export function runnerArch(arch: string = process.arch): string {
  return ({ x64: 'X64', ia32: 'X86', arm: 'ARM', arm64: 'ARM64' } as Record<string, string>)[arch] ?? arch.toUpperCase();
}

/** The `runner` context (docs "runner context"); RUNNER_* say the same. */
export function runnerContext(runnerName: string, paths: Pick<JobPaths, 'temp' | 'toolCache'>, debug: boolean) {
  return { name: runnerName, os: 'Linux', arch: runnerArch(), temp: paths.temp, tool_cache: paths.toolCache, environment: 'self-hosted', debug: debug ? '1' : '' };
}

export function defaultEnv(github: ReturnType<typeof runnerGithubContext>, paths: JobPaths, runner: ReturnType<typeof runnerContext>, slipwayRunId: string): Record<string, string> {
  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_REF_NAME: github.ref_name,
    GITHUB_REF_TYPE: github.ref_type,
    GITHUB_REF_PROTECTED: String(github.ref_protected),
    GITHUB_HEAD_REF: github.head_ref,
    GITHUB_BASE_REF: github.base_ref,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_ID: github.repository_id,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_REPOSITORY_OWNER_ID: github.repository_owner_id,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_EVENT_PATH: paths.event,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_RUN_NUMBER: github.run_number,
    GITHUB_RUN_ATTEMPT: github.run_attempt,
    GITHUB_RETENTION_DAYS: github.retention_days,
    GITHUB_WORKFLOW: github.workflow,
    GITHUB_WORKFLOW_REF: github.workflow_ref,
    GITHUB_WORKFLOW_SHA: github.workflow_sha,
    GITHUB_JOB: github.job,
    GITHUB_WORKSPACE: paths.workspace,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_API_URL: github.api_url,
    GITHUB_GRAPHQL_URL: github.graphql_url,
    GITHUB_ACTOR: github.actor,
    GITHUB_ACTOR_ID: github.actor_id,
    GITHUB_TRIGGERING_ACTOR: github.triggering_actor,
    GITHUB_ENV: paths.files.env,
    GITHUB_OUTPUT: paths.files.output,
    GITHUB_PATH: paths.files.path,
    GITHUB_STEP_SUMMARY: paths.files.summary,
    RUNNER_NAME: runner.name,
    RUNNER_OS: runner.os,
    RUNNER_ARCH: runner.arch,
    RUNNER_TEMP: runner.temp,
    RUNNER_TOOL_CACHE: runner.tool_cache,
    RUNNER_ENVIRONMENT: runner.environment,
    // GitHub sets it only when debug logging is on.
    ...(runner.debug ? { RUNNER_DEBUG: runner.debug } : {}),
  };
  // The same values under Slipway's own names, for scripts that do not pretend to be on GitHub.
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('GITHUB_')) env[`SLIPWAY_${k.slice('GITHUB_'.length)}`] = v;
  }
  // Except the run's id: Slipway's own (`run_…`), which its API and CLI take.
  env.SLIPWAY_RUN_ID = slipwayRunId;
  env.SLIPWAY = 'true';
  return env;
}

/**
 * The variables that change from step to step (docs "Default environment variables"):
 * GITHUB_ACTION is the step's id, else `__run` for a script and `__<owner>_<repo>` for an
 * action (special characters become `_`, as the docs' `__repo-owner_name-of-action-repo`
 * and GitHub's runner have it), with `_2`, `_3` for the job's later id-less steps of the
 * same script or action; GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF name a remote
 * action. `ordinal` counts those earlier steps (0 for the first). The step runner adds these
 * to each step's environment after the step's own `env:` (GITHUB_* cannot be overwritten).
 */
export function stepEnv(step: Pick<StepSpec, 'id' | 'uses'>, ordinal = 0): Record<string, string> {
  const remote = remoteUses(step);
  const name = actionName(step);
  const suffix = ordinal === 0 ? '' : `_${ordinal + 1}`;
  const env: Record<string, string> = { GITHUB_ACTION: step.id ?? `${name}${suffix}` };
  if (remote) {
    env.GITHUB_ACTION_REPOSITORY = remote[1]!.split('/').slice(0, 2).join('/');
    env.GITHUB_ACTION_REF = remote[2]!;
  }
  for (const [k, v] of Object.entries({ ...env })) env[`SLIPWAY_${k.slice('GITHUB_'.length)}`] = v;
  return env;
}

/** stepEnv for `steps[index]` of a job (or a composite action), counting the earlier id-less steps of the same name. */
export function stepEnvAt(steps: readonly Pick<StepSpec, 'id' | 'uses'>[], index: number): Record<string, string> {
  const step = steps[index]!;
  const name = actionName(step);
  const ordinal = steps.slice(0, index).filter((s) => s.id === undefined && actionName(s) === name).length;
  return stepEnv(step, ordinal);
}

const remoteUses = (step: Pick<StepSpec, 'uses'>) => (step.uses && !step.uses.startsWith('./') && !step.uses.startsWith('docker://') ? /^([^@]+)@(.+)$/.exec(step.uses) : null);

/** GITHUB_ACTION's base for a step without an id. */
function actionName(step: Pick<StepSpec, 'uses'>): string {
  return step.uses ? `__${(remoteUses(step)?.[1] ?? step.uses).replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}` : '__run';
}
