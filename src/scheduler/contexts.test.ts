import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldResults, githubContext, numericId, projectOfRepository } from './contexts.ts';
import type { Job } from '../store/repos/runs.ts';
import { job, setup } from './test-support.ts';

const run = {
  id: 'r1', project_id: 'prj_1', number: 7, github_run_id: 41, workflow_number: 5, workflow: '.github/workflows/ci.yml',
  event: 'push', ref: 'refs/tags/v1.2', sha: 'a'.repeat(40), name: 'ci', event_payload: '{"after":"x"}', attempt: 2,
  github_trigger: JSON.stringify({ actor: 'ada', triggeringActor: 'bob', refProtected: true }),
};

test('githubContext: a run without a job has no github.job', () => {
  const github = githubContext(run, 'demo');
  assert.equal('job' in github, false);
  assert.deepEqual(
    { ref_name: github.ref_name, ref_type: github.ref_type, run_number: github.run_number, run_attempt: github.run_attempt, event: github.event, repository: github.repository },
    { ref_name: 'v1.2', ref_type: 'tag', run_number: '5', run_attempt: '2', event: { after: 'x' }, repository: 'slipway/demo' },
  );
});

test('githubContext: GitHub\'s shapes — numeric run id, owner/name, the workflow ref, the trigger\'s actor', () => {
  const github = githubContext(run, 'demo');
  assert.equal(github.run_id, '41', 'GITHUB_RUN_ID is the installation-wide number, not Slipway\'s run_… id');
  assert.equal(github.run_number, '5', 'GITHUB_RUN_NUMBER counts the runs of this workflow');
  assert.equal(github.repository_owner, 'slipway');
  assert.equal(github.workflow_ref, 'slipway/demo/.github/workflows/ci.yml@refs/tags/v1.2');
  assert.equal(github.workflow_sha, run.sha);
  assert.deepEqual([github.actor, github.triggering_actor, github.ref_protected], ['ada', 'bob', true]);
  for (const key of ['repository_id', 'repository_owner_id', 'actor_id'] as const) assert.match(github[key], /^[1-9]\d*$/, key);
  assert.equal(github.actor_id, String(numericId('ada')), 'the same id as the payload\'s sender.id');
  assert.equal(projectOfRepository(github.repository), 'demo');
  // A run from before 0022 kept no trigger facts: the stand-in actor, nothing protected.
  const old = githubContext({ ...run, github_trigger: null }, 'demo');
  assert.deepEqual([old.actor, old.triggering_actor, old.ref_protected], ['slipway', 'slipway', false]);
});

test('githubContext: github.job is the id under jobs:, for a matrix leg the job it is a leg of', () => {
  assert.equal(githubContext(run, 'demo', { job_id: 'build', key: 'build' }).job, 'build');
  assert.equal(githubContext(run, 'demo', { job_id: 'test', key: 'test (a, b)' }).job, 'test');
  assert.equal(githubContext(run, 'demo', { job_id: 'inner', key: 'call/inner' }).job, 'inner');
  // Rows from before job ids were stored: the key up to the matrix values.
  assert.equal(githubContext(run, 'demo', { job_id: null, key: 'test (a, b)' }).job, 'test');
});

test('foldResults keys needs by the same job id as github.job', () => {
  const leg = (key: string, status: Job['status']) => ({ key, job_id: null, status, finished_at: null, outputs: null }) as Job;
  assert.deepEqual(foldResults([leg('test (a)', 'success'), leg('test (b)', 'failure')]), { test: { result: 'failure', outputs: {} } });
});

test('run-name and the workflow\'s concurrency see the run\'s own github.run_id and github.run_number', async () => {
  const s = await setup();
  const yaml = `name: ci\nrun-name: build \${{ github.run_number }} of \${{ github.run_id }}\non: push\nconcurrency: \${{ github.workflow }}-\${{ github.run_id }}\njobs:\n${job('a')}`;
  const first = await s.createRun(yaml);
  const second = await s.createRun(yaml);
  assert.deepEqual([first.title, first.concurrency_group], [`build 1 of ${first.github_run_id}`, `ci-${first.github_run_id}`]);
  assert.deepEqual([second.title, second.concurrency_group], [`build 2 of ${second.github_run_id}`, `ci-${second.github_run_id}`]);
  assert.notEqual(first.github_run_id, second.github_run_id);
});
