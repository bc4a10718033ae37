import assert from 'node:assert/strict';
import { test } from 'node:test';
import { githubContext } from '../scheduler/contexts.ts';
import { defaultEnv, runnerGithubContext, type JobPaths } from './job-context.ts';
import type { ClaimedJob } from './protocol/wire.ts';

const run = { id: 'r1', number: 3, event: 'push', ref: 'refs/heads/main', sha: 'b'.repeat(40), name: 'ci', event_payload: null, attempt: 1 };
const paths: JobPaths = { workspace: '/w', temp: '/t', actions: '/a', files: { env: '/f/env', output: '/f/output', path: '/f/path', summary: '/f/summary.md' } };

test('the runner keeps the server\'s github context, the job id included, and adds only what it knows', () => {
  const server = githubContext(run, 'demo', { job_id: 'test', key: 'test (a, b)' });
  const claimed = { contexts: { github: server }, token: 'slpj_job' } as ClaimedJob;
  const github = runnerGithubContext(claimed, 'http://ci.example', '/w');
  // github.token is the job's own token (issue 9).
  assert.deepEqual(github, { ...server, token: 'slpj_job', workspace: '/w', server_url: 'http://ci.example', api_url: 'http://ci.example/api', action_path: '' });
  const env = defaultEnv(github, paths, 'r');
  assert.deepEqual(
    [env.GITHUB_JOB, env.SLIPWAY_JOB, env.GITHUB_REF_NAME, env.GITHUB_RUN_NUMBER, env.GITHUB_WORKSPACE, env.GITHUB_API_URL],
    ['test', 'test', 'main', '3', '/w', 'http://ci.example/api'],
  );
});
