import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../core/errors.ts';
import type { JobSpec, Workflow } from './model.ts';
import { planWorkflow } from './plan.ts';

const job = (id: string, needs: string[] = []): JobSpec => ({
  id, name: id, needs, runsOn: ['local'], env: {}, defaults: {}, timeoutMinutes: 360, continueOnError: false,
  outputs: {}, steps: [], services: {}, with: {}, pos: { file: 'ci.yml', line: 1, column: 1 },
});
const wf = (jobs: JobSpec[]): Workflow => ({ file: 'ci.yml', name: 'ci', on: {}, env: {}, defaults: {}, jobs });

void test('one planned job per job, needs first, declaration order otherwise', () => {
  const plan = planWorkflow(wf([job('deploy', ['test', 'build']), job('lint'), job('test', ['build']), job('build')]));
  assert.equal(plan.workflow, 'ci.yml');
  assert.deepEqual(plan.jobs.map((j) => j.key), ['build', 'test', 'deploy', 'lint']);
  assert.deepEqual(plan.jobs.find((j) => j.key === 'deploy'), {
    key: 'deploy', jobId: 'deploy', name: 'deploy', needs: ['test', 'build'], runsOn: ['local'],
  });
});

void test('cycles and unknown needs in a hand-built workflow are errors', () => {
  assert.throws(() => planWorkflow(wf([job('a', ['b']), job('b', ['a'])])), (e) => isSlipwayError(e, 'WORKFLOW_INVALID'));
  assert.throws(() => planWorkflow(wf([job('a', ['zzz'])])), (e) => isSlipwayError(e, 'WORKFLOW_INVALID'));
});

void test('a 500-job DAG plans well under 50 ms', () => {
  const jobs: JobSpec[] = [];
  for (let i = 0; i < 500; i++) {
    // Each job needs up to 5 earlier ones; declared in reverse to make ordering work.
    const needs = [1, 2, 3, 7, 31].filter((d) => i - d >= 0).map((d) => `j${i - d}`);
    jobs.unshift(job(`j${i}`, needs));
  }
  const chain = Array.from({ length: 500 }, (_, i) => job(`c${i}`, i > 0 ? [`c${i - 1}`] : []));
  planWorkflow(wf(jobs)); // warm up
  const start = performance.now();
  const plan = planWorkflow(wf(jobs));
  planWorkflow(wf(chain.reverse()));
  const ms = performance.now() - start;
  assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`);
  const seen = new Set<string>();
  for (const planned of plan.jobs) {
    for (const need of planned.needs) assert.ok(seen.has(need), `${planned.key} after ${need}`);
    seen.add(planned.key);
  }
  assert.equal(seen.size, 500);
});
