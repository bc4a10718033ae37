// Run control in the scheduler: concurrency groups, matrix legs (fail-fast, max-parallel,
// matrices from `needs`), re-runs as new attempts, and reusable-workflow calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup, job, wf } from './test-support.ts';

const grouped = (group: string, cancel = false) => `name: deploy\non: push\nconcurrency:\n  group: ${group}\n  cancel-in-progress: ${cancel}\njobs:\n${job('a')}`;

void test('workflow concurrency: one running, one pending; a newer pending run cancels the older one', async () => {
  const s = await setup();
  const first = await s.createRun(grouped('deploy-${{ github.ref }}'));
  assert.equal(first.concurrency_group, 'deploy-refs/heads/main');
  const a = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(a.run.id, first.id);
  const second = await s.createRun(grouped('deploy-${{ github.ref }}'));
  assert.equal(second.concurrency_state, 'pending');
  assert.equal(await s.scheduler.claim('r2', ['local']), undefined, 'the pending run waits');
  const third = await s.createRun(grouped('deploy-${{ github.ref }}'));
  assert.equal((await s.store.runs.require(second.id)).status, 'cancelled', 'superseded while pending');
  assert.equal((await s.store.runs.require(first.id)).status, 'running', 'the running one is left alone');
  // Another group is independent.
  const other = await s.createRun(grouped('other'));
  assert.equal((await s.scheduler.claim('r2', ['local']))?.run.id, other.id);
  await s.scheduler.completeJob(a.job.id, 'r1', 'success', {});
  assert.equal((await s.store.runs.require(third.id)).concurrency_state, 'admitted');
  assert.equal((await s.scheduler.claim('r1', ['local']))?.run.id, third.id);
});

void test('workflow concurrency with cancel-in-progress cancels the running run; the new one starts after it stopped', async () => {
  const s = await setup();
  const first = await s.createRun(grouped('g', true));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  const second = await s.createRun(grouped('g', true));
  assert.equal(s.count('job-cancel', a.job.id), 1);
  assert.equal(await s.scheduler.heartbeat(a.job.id, 'r1'), false, 'a runner that missed the event learns it at its heartbeat');
  assert.equal(await s.scheduler.claim('r2', ['local']), undefined);
  await s.scheduler.completeJob(a.job.id, 'r1', 'failure', {}); // killed steps may look like failures
  assert.equal((await s.store.runs.require(first.id)).status, 'cancelled');
  assert.equal((await s.scheduler.claim('r2', ['local']))?.run.id, second.id);
});

void test('job concurrency groups are evaluated with needs and matrix when the job is ready', async () => {
  const s = await setup();
  const yaml = wf(job('build', '    outputs:\n      env: ${{ steps.x.outputs.env }}\n'), job('deploy', '    needs: build\n    concurrency: deploy-${{ needs.build.outputs.env }}\n'));
  const r1 = await s.createRun(yaml);
  const r2 = await s.createRun(yaml);
  const b1 = (await s.scheduler.claim('r1', ['local']))!;
  const b2 = (await s.scheduler.claim('r2', ['local']))!;
  await s.scheduler.completeJob(b1.job.id, 'r1', 'success', { env: 'prod' });
  await s.scheduler.completeJob(b2.job.id, 'r2', 'success', { env: 'prod' });
  const d1 = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(d1.job.key, 'deploy');
  assert.equal(d1.job.concurrency_group, 'deploy-prod');
  assert.equal(await s.scheduler.claim('r2', ['local']), undefined, 'the second deploy waits for the group');
  const waiting = (await s.jobsByKey(d1.run.id === r1.id ? r2.id : r1.id)).deploy!;
  assert.equal(waiting.concurrency_state, 'pending');
  await s.scheduler.completeJob(d1.job.id, 'r1', 'success', {});
  assert.equal((await s.scheduler.claim('r2', ['local']))?.job.id, waiting.id);
});

const matrixJob = (extra = '') =>
  wf(`  test:\n    runs-on: local\n    strategy:\n${extra}      matrix:\n        n: [1, 2, 3]\n    steps:\n      - run: echo \${{ matrix.n }}\n`, job('after', '    needs: test\n'));

void test('fail-fast: a failed leg cancels its queued and running siblings; dependants are skipped', async () => {
  const s = await setup();
  const run = await s.createRun(matrixJob());
  const one = (await s.scheduler.claim('r1', ['local']))!;
  const two = (await s.scheduler.claim('r2', ['local']))!;
  assert.deepEqual(one.matrix, { n: 1 });
  assert.deepEqual(one.strategy, { 'fail-fast': true, 'job-index': 0, 'job-total': 3, 'max-parallel': 3 });
  assert.equal(two.strategy?.['job-index'], 1);
  await s.scheduler.completeJob(one.job.id, 'r1', 'failure', {});
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs['test (3)']?.status, 'cancelled');
  assert.equal(s.count('job-cancel', two.job.id), 1);
  await s.scheduler.completeJob(two.job.id, 'r2', 'cancelled', {});
  assert.equal((await s.jobsByKey(run.id)).after?.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
});

void test('fail-fast: false lets the other legs finish', async () => {
  const s = await setup();
  const run = await s.createRun(matrixJob('      fail-fast: false\n'));
  assert.equal(await s.runOne('failure'), 'test (1)');
  assert.equal(await s.runOne('success'), 'test (2)');
  assert.equal(await s.runOne('success'), 'test (3)');
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.after?.status, 'skipped');
  assert.equal(s.count('job-cancel'), 0);
});

void test('max-parallel: at most N legs of a job run at once', async () => {
  const s = await setup();
  await s.createRun(matrixJob('      max-parallel: 2\n'));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  const b = (await s.scheduler.claim('r2', ['local']))!;
  assert.equal(await s.scheduler.claim('r3', ['local']), undefined);
  assert.equal(a.strategy?.['max-parallel'], 2);
  await s.scheduler.completeJob(a.job.id, 'r1', 'success', {});
  assert.equal((await s.scheduler.claim('r3', ['local']))?.job.key, 'test (3)');
  assert.ok(b);
});

void test("a claim handed a run's rows read a moment ago (a report's next claim) still keeps max-parallel", async () => {
  const s = await setup();
  const run = await s.createRun(matrixJob('      max-parallel: 1\n'));
  const stale = { run: await s.store.runs.require(run.id), jobs: await s.store.runs.jobs(run.id) };
  const a = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(await s.scheduler.claim('r2', ['local'], stale), undefined, 'the rows say no leg runs; the legs are read again');
  await s.scheduler.completeJob(a.job.id, 'r1', 'success', {});
  assert.ok(await s.scheduler.claim('r2', ['local'], stale), 'a need or a leg seen as it was only delays nothing now');
});

void test('a matrix from needs is expanded into legs when the need finishes; dependants wait for every leg', async () => {
  const s = await setup();
  const yaml = wf(
    job('setup', '    outputs:\n      m: ${{ steps.x.outputs.m }}\n'),
    `  test:\n    needs: setup\n    runs-on: local\n    strategy:\n      matrix: \${{ fromJSON(needs.setup.outputs.m) }}\n    steps:\n      - run: echo\n`,
    job('report', '    needs: test\n'),
  );
  const run = await s.createRun(yaml);
  assert.equal((await s.jobsByKey(run.id)).test?.deferred_matrix, 1);
  await s.runOne('success', { m: JSON.stringify({ os: ['a', 'b'], include: [{ os: 'c', extra: true }] }) });
  const jobs = await s.jobsByKey(run.id);
  assert.deepEqual(Object.keys(jobs), ['setup', 'test (a)', 'test (b)', 'test (c, true)', 'report']);
  assert.deepEqual(JSON.parse(jobs.report!.needs), ['test (a)', 'test (b)', 'test (c, true)']);
  const leg = (await s.scheduler.claim('r1', ['local']))!;
  assert.deepEqual(leg.matrix, { os: 'a' });
  assert.equal(leg.strategy?.['job-total'], 3);
  await s.scheduler.completeJob(leg.job.id, 'r1', 'success', { x: '1' });
  await s.runOne();
  await s.runOne();
  const report = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(report.job.key, 'report');
  assert.equal(report.needs.test?.result, 'success');
});

void test('a matrix from needs that is not a matrix fails that job with the reason', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('setup'), `  test:\n    needs: setup\n    runs-on: local\n    strategy:\n      matrix: \${{ fromJSON('[1]') }}\n    steps:\n      - run: echo\n`));
  await s.runOne();
  const t = (await s.jobsByKey(run.id)).test!;
  assert.equal(t.status, 'failure');
  assert.match(t.error!, /strategy\.matrix of job test: expected the matrix to be an object/);
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
});

const graph = wf(job('build', '    outputs:\n      v: x\n'), job('test', '    needs: build\n'), job('lint'), job('deploy', '    needs: [test, lint]\n'));

void test('re-run failed jobs: the failed job and its dependants run again in attempt 2; the rest keep their results', async () => {
  const s = await setup();
  const run = await s.createRun(graph);
  assert.equal(await s.runOne('success', { v: '1' }), 'build');
  assert.equal(await s.runOne('failure'), 'test');
  assert.equal(await s.runOne('success'), 'lint');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  const before = await s.jobsByKey(run.id);
  assert.equal(await s.scheduler.rerun(run.id, 'failed', 'ada'), 2);
  const again = await s.jobsByKey(run.id);
  assert.equal((await s.store.runs.require(run.id)).attempt, 2);
  assert.deepEqual(Object.fromEntries(Object.entries(again).map(([k, j]) => [k, j.status])), { build: 'success', test: 'queued', lint: 'success', deploy: 'queued' });
  assert.equal(again.build!.reused_from, before.build!.id);
  // The kept job's outputs reach the re-run job.
  const t = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(t.job.key, 'test');
  assert.deepEqual(t.needs, { build: { result: 'success', outputs: { v: '1' } } });
  // GitHub: the re-run's user is github.triggering_actor; github.actor stays who started the run.
  assert.deepEqual([t.github.actor, t.github.triggering_actor, t.github.run_attempt], ['slipway', 'ada', '2']);
  await s.scheduler.completeJob(t.job.id, 'r1', 'success', {});
  assert.equal(await s.runOne(), 'deploy');
  assert.equal((await s.store.runs.require(run.id)).status, 'success');
  // Attempt 1 is kept as it was.
  const first = await s.jobsByKey(run.id, 1);
  assert.equal(first.test?.status, 'failure');
  assert.equal(first.deploy?.status, 'skipped');
});

void test('re-run one job re-runs it and its dependants; re-run all re-runs everything; a running run cannot be re-run', async () => {
  const s = await setup();
  const run = await s.createRun(graph);
  await assert.rejects(s.scheduler.rerun(run.id, 'all'), /only a finished run/);
  while (await s.runOne());
  await assert.rejects(s.scheduler.rerun(run.id, 'failed'), /no failed or cancelled jobs/);
  await assert.rejects(s.scheduler.rerun(run.id, { job: 'nope' }), /no job "nope"/);
  await s.scheduler.rerun(run.id, { job: 'lint' });
  const statuses = Object.fromEntries(Object.entries(await s.jobsByKey(run.id)).map(([k, j]) => [k, j.status]));
  assert.deepEqual(statuses, { build: 'success', test: 'success', lint: 'queued', deploy: 'queued' });
  while (await s.runOne());
  await s.scheduler.rerun(run.id, 'all');
  assert.ok(Object.values(await s.jobsByKey(run.id)).every((j) => j.status === 'queued' && j.run_attempt === 3));
});

void test('re-running the job a matrix comes from expands the matrix again', async () => {
  const s = await setup();
  const run = await s.createRun(
    wf(job('setup'), `  test:\n    needs: setup\n    runs-on: local\n    strategy:\n      matrix: \${{ fromJSON(needs.setup.outputs.m) }}\n    steps:\n      - run: echo\n`, job('report', '    needs: test\n')),
  );
  await s.runOne('success', { m: '{"n":[1,2]}' });
  while (await s.runOne());
  await s.scheduler.rerun(run.id, { job: 'setup' });
  assert.deepEqual(Object.keys(await s.jobsByKey(run.id)), ['setup', 'test', 'report']);
  await s.runOne('success', { m: '{"n":[7]}' });
  assert.deepEqual(Object.keys(await s.jobsByKey(run.id)), ['setup', 'test (7)', 'report']);
});

void test('a reusable workflow: inner jobs get the caller with as inputs; the caller outputs reach its dependants', async () => {
  const s = await setup();
  const called = `name: build\non:\n  workflow_call:\n    inputs:\n      target:\n        type: string\n        required: true\n      fast:\n        type: boolean\n        default: false\n    outputs:\n      image:\n        value: \${{ jobs.pack.outputs.image }}\njobs:\n${job('pack', '    outputs:\n      image: ${{ steps.x.outputs.image }}\n')}`;
  const yaml = wf(job('prep', '    outputs:\n      t: x\n'), `  build:\n    needs: prep\n    uses: ./.slipway/workflows/build.yml\n    with:\n      target: \${{ needs.prep.outputs.t }}-linux\n`, job('ship', '    needs: build\n'));
  const run = await s.createRun(yaml, { called: { '.slipway/workflows/build.yml': called } });
  assert.equal(await s.runOne('success', { t: 'amd64' }), 'prep');
  const pack = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(pack.job.key, 'build/pack');
  assert.equal(pack.spec.id, 'pack');
  assert.equal(pack.workflow.file, '.slipway/workflows/build.yml');
  assert.deepEqual(pack.inputs, { target: 'amd64-linux', fast: false });
  await s.scheduler.completeJob(pack.job.id, 'r1', 'success', { image: 'img@sha256:1' });
  const ship = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(ship.job.key, 'ship');
  assert.deepEqual(ship.needs, { build: { result: 'success', outputs: { image: 'img@sha256:1' } } });
  await s.scheduler.completeJob(ship.job.id, 'r1', 'success', {});
  assert.equal((await s.store.runs.require(run.id)).status, 'success');
});

void test('cancelling a run marks its running jobs and ends it cancelled even if a job reports failure', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('a'), job('b', '    needs: a\n    if: always()\n')));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  await s.scheduler.cancelRun(run.id);
  assert.equal((await s.store.runs.job(a.job.id))?.cancel_requested, 1);
  await s.scheduler.completeJob(a.job.id, 'r1', 'failure', {});
  assert.equal((await s.store.runs.job(a.job.id))?.status, 'cancelled');
  assert.equal((await s.store.runs.require(run.id)).status, 'cancelled');
});
