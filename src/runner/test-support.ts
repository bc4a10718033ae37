// GitHub's default environment variables, as docs.github.com "Variables reference" §Default
// environment variables lists them (checked 2026-12-01), each with the shape GitHub gives
// its value. The unit test of job-context.ts and the end-to-end test of a container job
// both check Slipway's variables against this one table (payload keys: triggers/test-support.ts).

const path = /^\//;
const url = /^https?:\/\/[^/]+/;
const numeric = /^[1-9]\d*$/;

/** Every job-level variable: name → the shape of its value. */
export const githubJobVariables: Readonly<Record<string, RegExp>> = {
  CI: /^true$/,
  GITHUB_ACTIONS: /^true$/,
  GITHUB_ACTOR: /^[A-Za-z0-9][\w.-]*$/,
  GITHUB_ACTOR_ID: numeric,
  GITHUB_API_URL: url,
  // Pull requests only; set and empty for every other event.
  GITHUB_BASE_REF: /^$/,
  GITHUB_ENV: path,
  GITHUB_EVENT_NAME: /^[a-z_]+$/,
  GITHUB_EVENT_PATH: path,
  GITHUB_GRAPHQL_URL: url,
  GITHUB_HEAD_REF: /^$/,
  GITHUB_JOB: /^[A-Za-z_][\w-]*$/,
  GITHUB_OUTPUT: path,
  GITHUB_PATH: path,
  GITHUB_REF: /^refs\/(heads|tags)\/.+$/,
  GITHUB_REF_NAME: /^.+$/,
  GITHUB_REF_PROTECTED: /^(true|false)$/,
  GITHUB_REF_TYPE: /^(branch|tag)$/,
  GITHUB_REPOSITORY: /^[^/\s]+\/[^/\s]+$/,
  GITHUB_REPOSITORY_ID: numeric,
  GITHUB_REPOSITORY_OWNER: /^[^/\s]+$/,
  GITHUB_REPOSITORY_OWNER_ID: numeric,
  GITHUB_RETENTION_DAYS: numeric,
  GITHUB_RUN_ATTEMPT: numeric,
  GITHUB_RUN_ID: numeric,
  GITHUB_RUN_NUMBER: numeric,
  GITHUB_SERVER_URL: url,
  GITHUB_SHA: /^[0-9a-f]{40}$/,
  GITHUB_STEP_SUMMARY: path,
  GITHUB_TRIGGERING_ACTOR: /^[A-Za-z0-9][\w.-]*$/,
  GITHUB_WORKFLOW: /^.+$/,
  GITHUB_WORKFLOW_REF: /^[^/\s]+\/[^/\s]+\/\.(github|slipway)\/workflows\/[^@]+\.ya?ml@refs\/(heads|tags)\/.+$/,
  GITHUB_WORKFLOW_SHA: /^[0-9a-f]{40}$/,
  GITHUB_WORKSPACE: path,
  RUNNER_ARCH: /^(X86|X64|ARM|ARM64)$/,
  RUNNER_ENVIRONMENT: /^(github-hosted|self-hosted)$/,
  RUNNER_NAME: /^.+$/,
  RUNNER_OS: /^(Linux|Windows|macOS)$/,
  RUNNER_TEMP: path,
  RUNNER_TOOL_CACHE: path,
};

/**
 * Variables of the same table that are not on every job: set per step (GITHUB_ACTION …),
 * only in a composite or JS action (GITHUB_ACTION_PATH, GITHUB_STATE), or only while debug
 * logging is on (RUNNER_DEBUG).
 */
export const githubConditionalVariables = ['GITHUB_ACTION', 'GITHUB_ACTION_PATH', 'GITHUB_ACTION_REPOSITORY', 'GITHUB_ACTION_REF', 'GITHUB_STATE', 'RUNNER_DEBUG'] as const;

/** Differences between what a job got and the table: missing names, and values of the wrong shape. */
export function variableProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(githubJobVariables)) {
    const value = env[name];
    if (value === undefined) problems.push(`${name} is not set`);
    else if (!shape.test(value)) problems.push(`${name}=${JSON.stringify(value)} does not match ${shape}`);
  }
  return problems;
}
