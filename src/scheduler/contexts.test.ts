import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldResults, githubContext } from './contexts.ts';
import type { Job } from '../store/repos/runs.ts';

const run = { id: 'r1', number: 7, event: 'push', ref: 'refs/tags/v1.2', sha: 'a'.repeat(40), name: 'ci', event_payload: '{"after":"x"}', attempt: 2 };

test('githubContext: a run without a job has no github.job', () => {
  const github = githubContext(run, 'demo');
  assert.equal('job' in github, false);
  assert.deepEqual(
    { ref_name: github.ref_name, ref_type: github.ref_type, run_number: github.run_number, run_attempt: github.run_attempt, event: github.event, repository: github.repository },
    { ref_name: 'v1.2', ref_type: 'tag', run_number: '7', run_attempt: '2', event: { after: 'x' }, repository: 'demo' },
  );
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
