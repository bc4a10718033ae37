import assert from 'node:assert/strict';
import { test } from 'node:test';
import { githubContext } from '../scheduler/contexts.ts';
import { defaultEnv, runnerArch, runnerContext, runnerGithubContext, stepEnv, stepEnvAt, type JobPaths } from './job-context.ts';
import type { ClaimedJob } from './protocol/wire.ts';
import { githubConditionalVariables, githubJobVariables, variableProblems } from './test-support.ts';

const run = {
  id: 'run_abc', project_id: 'prj_1', number: 3, github_run_id: 12, workflow_number: 2, workflow: '.github/workflows/ci.yml',
  event: 'push', ref: 'refs/heads/main', sha: 'b'.repeat(40), name: 'ci', event_payload: null, attempt: 1,
  github_trigger: JSON.stringify({ actor: 'ada', refProtected: true }),
};
const paths: JobPaths = { workspace: '/w', temp: '/t', toolCache: '/tc', actions: '/a', event: '/f/event.json', files: { env: '/f/env', output: '/f/output', path: '/f/path', summary: '/f/summary.md', state: '/f/state' } };

function jobEnv(debug = false) {
  const server = githubContext(run, 'demo', { job_id: 'test', key: 'test (a, b)' });
  const claimed = { runId: run.id, contexts: { github: server }, token: 'slpj_job' } as ClaimedJob;
  const github = runnerGithubContext(claimed, 'http://ci.example', paths);
  return { server, github, env: defaultEnv(github, paths, runnerContext('r', paths, debug), run.id) };
}

test('the runner keeps the server\'s github context, the job id included, and adds only what it knows', () => {
  const { server, github, env } = jobEnv();
  // github.token is the job's own token (issue 9).
  assert.deepEqual(github, { ...server, token: 'slpj_job', workspace: '/w', event_path: '/f/event.json', server_url: 'http://ci.example', api_url: 'http://ci.example/api', graphql_url: 'http://ci.example/api/graphql', action_path: '' });
  assert.deepEqual(
    [env.GITHUB_JOB, env.SLIPWAY_JOB, env.GITHUB_REF_NAME, env.GITHUB_RUN_NUMBER, env.GITHUB_WORKSPACE, env.GITHUB_API_URL],
    ['test', 'test', 'main', '2', '/w', 'http://ci.example/api'],
  );
});

test('every default variable GitHub documents is set, with GitHub\'s shape', () => {
  const { env } = jobEnv();
  assert.deepEqual(variableProblems(env), []);
  // Nothing GITHUB_*/RUNNER_* beyond GitHub's table, so no made-up name looks like GitHub's.
  const documented = new Set([...Object.keys(githubJobVariables), ...githubConditionalVariables]);
  assert.deepEqual(Object.keys(env).filter((k) => /^(GITHUB|RUNNER)_/.test(k) && !documented.has(k)), []);
});

test('values that say where and who: numeric ids, owner/name, the workflow ref, the trigger\'s actor', () => {
  const { env } = jobEnv();
  assert.equal(env.GITHUB_RUN_ID, '12');
  assert.equal(env.SLIPWAY_RUN_ID, 'run_abc', 'Slipway\'s own id, which its API and CLI take');
  assert.equal(env.GITHUB_REPOSITORY, 'slipway/demo');
  assert.equal(env.GITHUB_WORKFLOW_REF, 'slipway/demo/.github/workflows/ci.yml@refs/heads/main');
  assert.deepEqual([env.GITHUB_ACTOR, env.GITHUB_TRIGGERING_ACTOR, env.GITHUB_REF_PROTECTED], ['ada', 'ada', 'true']);
  assert.deepEqual([env.RUNNER_TOOL_CACHE, env.RUNNER_ENVIRONMENT, env.GITHUB_EVENT_PATH], ['/tc', 'self-hosted', '/f/event.json']);
});

test('RUNNER_DEBUG is set only while debug logging is on, as on GitHub', () => {
  assert.equal('RUNNER_DEBUG' in jobEnv(false).env, false);
  assert.equal(jobEnv(true).env.RUNNER_DEBUG, '1');
});

test('RUNNER_ARCH spells Node\'s architectures as GitHub does', () => {
  assert.deepEqual(['x64', 'ia32', 'arm', 'arm64'].map((a) => runnerArch(a)), ['X64', 'X86', 'ARM', 'ARM64']);
});

test('stepEnv: GITHUB_ACTION is the step id, __run for scripts, __owner_repo for actions, with _N suffixes', () => {
  const cases: [Parameters<typeof stepEnv>[0], number, Record<string, string>][] = [
    [{ id: 'build' }, 0, { GITHUB_ACTION: 'build' }],
    [{}, 0, { GITHUB_ACTION: '__run' }],
    [{}, 1, { GITHUB_ACTION: '__run_2' }],
    [{ uses: 'actions/checkout@v4' }, 0, { GITHUB_ACTION: '__actions_checkout', GITHUB_ACTION_REPOSITORY: 'actions/checkout', GITHUB_ACTION_REF: 'v4' }],
    [{ uses: 'actions/checkout@v4' }, 1, { GITHUB_ACTION: '__actions_checkout_2', GITHUB_ACTION_REPOSITORY: 'actions/checkout', GITHUB_ACTION_REF: 'v4' }],
    [{ uses: 'owner/repo/sub/dir@main' }, 0, { GITHUB_ACTION: '__owner_repo_sub_dir', GITHUB_ACTION_REPOSITORY: 'owner/repo', GITHUB_ACTION_REF: 'main' }],
    [{ uses: './.github/actions/hello' }, 0, { GITHUB_ACTION: '__github_actions_hello' }],
  ];
  for (const [step, ordinal, expected] of cases) {
    const env = stepEnv(step, ordinal);
    const github = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('GITHUB_')));
    assert.deepEqual(github, expected, JSON.stringify(step));
    assert.equal(env.SLIPWAY_ACTION, expected.GITHUB_ACTION);
  }
});

test('stepEnvAt counts the earlier id-less steps of the same script or action', () => {
  const steps = [{ uses: 'actions/checkout@v4' }, {}, { id: 'named' }, {}, { uses: 'actions/checkout@v4' }, {}];
  assert.deepEqual(steps.map((_, i) => stepEnvAt(steps, i).GITHUB_ACTION), ['__actions_checkout', '__run', 'named', '__run_2', '__actions_checkout_2', '__run_3']);
});
