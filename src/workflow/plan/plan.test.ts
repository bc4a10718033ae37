import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import type { JobSpec, Workflow } from '../model.ts';
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

void test('matrix legs: needs on a matrix job wait for every leg; 1,000 legs (cap raised) plan well under 50 ms', () => {
  const axis = Array.from({ length: 10 }, (_, i) => i);
  const big: JobSpec = { ...job('big'), strategy: { failFast: true, matrix: { axes: { a: axis, b: axis, c: axis }, include: [], exclude: [] } } };
  const after = job('after', ['big']);
  assert.throws(() => planWorkflow(wf([big, after])), /produces 1000 jobs; expected at most 256/);
  // Best of 5, so a busy machine (tests run in parallel) measures the code, not the wait.
  let ms = Number.POSITIVE_INFINITY;
  let plan = planWorkflow(wf([big, after]), {}, { maxMatrixLegs: 1000 });
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    plan = planWorkflow(wf([big, after]), {}, { maxMatrixLegs: 1000 });
    ms = Math.min(ms, performance.now() - start);
  }
  assert.ok(ms < 50, `took ${ms.toFixed(1)} ms`);
  assert.equal(plan.jobs.length, 1001);
  assert.deepEqual(plan.jobs[0], { key: 'big (0, 0, 0)', jobId: 'big', name: 'big (0, 0, 0)', needs: [], runsOn: ['local'], matrix: { a: 0, b: 0, c: 0 } });
  assert.equal(plan.jobs[1000]?.needs.length, 1000);
});

void test('an expression matrix is one deferred job; a job calling a workflow becomes its jobs', () => {
  const dyn: JobSpec = { ...job('dyn', ['a']), strategy: { failFast: true, matrix: '${{ fromJSON(needs.a.outputs.m) }}' } };
  assert.deepEqual(planWorkflow(wf([job('a'), dyn])).jobs[1], { key: 'dyn', jobId: 'dyn', name: 'dyn', needs: ['a'], runsOn: ['local'], deferredMatrix: true });

  const callee: Workflow = { ...wf([job('x'), job('y', ['x']), job('z')]), file: '.github/workflows/lib.yml' };
  const caller: JobSpec = { ...job('call', ['a']), runsOn: [], uses: './.github/workflows/lib.yml' };
  const plan = planWorkflow(wf([job('a'), caller, job('end', ['call'])]), { '.github/workflows/lib.yml': callee });
  assert.deepEqual(plan.jobs.map((j) => [j.key, j.needs]), [
    ['a', []], ['call/x', ['a']], ['call/y', ['call/x']], ['call/z', ['a']], ['end', ['call/x', 'call/y', 'call/z']],
  ]);
  assert.deepEqual(plan.jobs[2], {
    key: 'call/y', jobId: 'y', name: 'call / y', needs: ['call/x'], runsOn: ['local'],
    workflow: '.github/workflows/lib.yml', caller: 'call', callerKey: 'call',
  });
  assert.deepEqual(Object.keys(plan.called ?? {}), ['.github/workflows/lib.yml']);
  assert.throws(() => planWorkflow(wf([job('a'), caller])), /calls `.\/.github\/workflows\/lib.yml`, which was not loaded/);
});

void test('runs-on from the matrix is each leg\'s own labels; other expressions stay for the scheduler', () => {
  const spec: JobSpec = {
    ...job('t'),
    runsOn: ['${{ matrix.os }}', 'x64-${{ matrix.arch }}', '${{ inputs.pool }}'],
    strategy: { failFast: true, matrix: { axes: { os: ['linux', ['self-hosted', 'big']], arch: ['a'] }, include: [], exclude: [] } },
  };
  const plan = planWorkflow(wf([spec]));
  assert.deepEqual(plan.jobs.map((j) => j.runsOn), [
    ['linux', 'x64-a', '${{ inputs.pool }}'],
    ['self-hosted', 'big', 'x64-a', '${{ inputs.pool }}'],
  ]);
});
