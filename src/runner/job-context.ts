// The `github`, `runner`, `env` … contexts a job's expressions see, and the GITHUB_* /
// RUNNER_* / SLIPWAY_* environment variables its steps get (GitHub's "Default environment
// variables" docs).
import type { ClaimedJob } from './protocol/wire.ts';

export interface JobPaths {
  workspace: string;
  temp: string;
  /** Remote actions' trees, copied in per job (`<owner>.<repo>.<sha>`); mounted read-only, outside the workspace. */
  actions: string;
  /** Files the runner gives each step: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY. */
  files: { env: string; output: string; path: string; summary: string };
}

/** The server's `github` context of the job plus what only the runner knows. */
export function runnerGithubContext(claimed: ClaimedJob, serverUrl: string, workspace: string) {
  return {
    ...claimed.contexts.github,
    // The job's token, as GitHub's `github.token` (and `secrets.GITHUB_TOKEN`, see job-run.ts).
    token: claimed.token,
    workspace,
    ...serverUrls(serverUrl),
    action_path: '',
  };
}

/** `github.server_url` and `github.api_url` for a server reached at `serverUrl`. */
export function serverUrls(serverUrl: string): { server_url: string; api_url: string } {
  return { server_url: serverUrl, api_url: `${serverUrl}/api` };
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
  }
}

export function defaultEnv(github: ReturnType<typeof runnerGithubContext>, paths: JobPaths, runnerName: string): Record<string, string> {
  const env: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_REF_NAME: github.ref_name,
    GITHUB_REF_TYPE: github.ref_type,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_RUN_NUMBER: github.run_number,
    GITHUB_RUN_ATTEMPT: github.run_attempt,
    GITHUB_WORKFLOW: github.workflow,
    GITHUB_JOB: github.job,
    GITHUB_WORKSPACE: paths.workspace,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_API_URL: github.api_url,
    GITHUB_ACTOR: github.actor,
    GITHUB_ENV: paths.files.env,
    GITHUB_OUTPUT: paths.files.output,
    GITHUB_PATH: paths.files.path,
    GITHUB_STEP_SUMMARY: paths.files.summary,
    RUNNER_NAME: runnerName,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: paths.temp,
  };
  // The same values under Slipway's own names, for scripts that do not pretend to be on GitHub.
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('GITHUB_')) env[`SLIPWAY_${k.slice('GITHUB_'.length)}`] = v;
  }
  env.SLIPWAY = 'true';
  return env;
}
