// Jobs no online runner can take: the message they show, when they fail (runner.queueTimeout),
// and the sweep over a real in-memory store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offersAll, queueTimeoutMessage, runnerWaitStep, waitingMessage } from './runner-waits.ts';
import { setup, job, wf } from './test-support.ts';
import type { RunnerState } from '../store/repos/runners.ts';

const runner = (name: string, labels: string[], state: RunnerState = 'active') => ({ name, labels, firstSeenAt: '', lastSeenAt: '', state, concurrency: null, version: null });
const queued = (runsOn: string[], since: string | null = null) => ({ runs_on: JSON.stringify(runsOn), runner_wait_since: since, runner_wait: null });

void test('a runner matches when it offers every label of the job', () => {
  assert.equal(offersAll(['linux', 'x64', 'gpu'], ['gpu', 'linux']), true);
  assert.equal(offersAll(['linux'], ['linux', 'gpu']), false);
  assert.equal(offersAll([], []), true);
});

void test('the message names the labels wanted and those online runners offer', () => {
  const online = [runner('a', ['linux', 'slipway']), runner('b', ['slipway', 'gpu'])];
  assert.equal(waitingMessage(['ubuntu-22.04'], online), 'waiting for a runner with labels [ubuntu-22.04]; online runners offer [linux, slipway, gpu]');
  assert.equal(waitingMessage(['linux', 'arm64'], []), 'waiting for a runner with labels [linux, arm64]; no runner is online');
  assert.equal(queueTimeoutMessage('waiting for x', 86_400_000), 'waiting for x; gave up after 24h (runner.queueTimeout)');
});

void test('a job starts waiting, keeps its start, fails after the timeout, and is cleared when a runner fits', () => {
  const online = [runner('a', ['linux'])];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const first = runnerWaitStep(queued(['gpu']), online, t0, { afterMs: 10_000 });
  assert.deepEqual(first, { action: 'wait', since: '2026-01-01T00:00:00.000Z', message: 'waiting for a runner with labels [gpu]; online runners offer [linux]' });
  const later = runnerWaitStep(queued(['gpu'], '2026-01-01T00:00:00.000Z'), online, t0 + 9_999, { afterMs: 10_000 });
  assert.equal(later.action, 'wait');
  assert.equal(later.action === 'wait' && later.since, '2026-01-01T00:00:00.000Z');
  const timedOut = runnerWaitStep(queued(['gpu'], '2026-01-01T00:00:00.000Z'), online, t0 + 10_000, { afterMs: 10_000 });
  assert.deepEqual(timedOut, { action: 'fail', message: 'waiting for a runner with labels [gpu]; online runners offer [linux]; gave up after 10s (runner.queueTimeout)' });
  assert.deepEqual(runnerWaitStep(queued(['linux'], '2026-01-01T00:00:00.000Z'), online, t0 + 20_000, { afterMs: 10_000 }), { action: 'clear' });
  assert.deepEqual(runnerWaitStep(queued(['linux']), online, t0, { afterMs: 10_000 }), { action: 'none' });
  // `slipway run`: its one runner's labels never change, so a job it cannot take fails at once.
  assert.deepEqual(runnerWaitStep(queued(['gpu']), online, t0, { now: 'map it with -P gpu=IMAGE' }), { action: 'fail', message: 'waiting for a runner with labels [gpu]; online runners offer [linux]; map it with -P gpu=IMAGE' });
  assert.deepEqual(runnerWaitStep(queued(['linux']), online, t0, { now: 'never' }), { action: 'none' });
});

void test('the sweep marks only jobs a runner could take now, fails them after the timeout, and the run fails', async () => {
  const s = await setup(120_000);
  // r1 is online (seen within the 2-minute lease) (it asked for work), offering only `local`.
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
  const run = await s.createRun(wf(job('build').replace('runs-on: local', 'runs-on: ubuntu-22.04'), job('test', '    needs: build\n').replace('runs-on: local', 'runs-on: gpu')));
  const t0 = Date.now();
  assert.equal(await s.scheduler.sweepRunnerWaits(60_000, t0), 0);
  let jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.build!.runner_wait, 'waiting for a runner with labels [ubuntu-22.04]; online runners offer [local]');
  assert.equal(jobs.test!.runner_wait, null, 'a job still waiting for its needs is not waiting for a runner');
  assert.equal(await s.scheduler.sweepRunnerWaits(60_000, t0 + 59_000), 0);
  assert.equal(await s.scheduler.sweepRunnerWaits(60_000, t0 + 60_000), 1);
  jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.build!.status, 'failure');
  assert.equal(jobs.build!.error, 'waiting for a runner with labels [ubuntu-22.04]; online runners offer [local]; gave up after 1m (runner.queueTimeout)');
  assert.equal(jobs.test!.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  const log = await s.store.logs.read(`job:${jobs.build!.id}`);
  assert.ok(JSON.stringify(log).includes('gave up after 1m'), 'the job log says why');
});

void test('a runner coming online with the labels clears the wait, and runners are recorded with their labels', async () => {
  const s = await setup(30_000);
  const run = await s.createRun(wf(job('build').replace('runs-on: local', 'runs-on: gpu')));
  await s.scheduler.sweepRunnerWaits(60_000);
  assert.equal((await s.jobsByKey(run.id)).build!.runner_wait, 'waiting for a runner with labels [gpu]; no runner is online');
  const claimed = await s.scheduler.claim('big', ['gpu', 'local']);
  assert.equal(claimed?.job.key, 'build');
  assert.equal(claimed.job.runner_wait_since, null, 'the claim ends the wait: a later re-queue starts its own clock');
  assert.deepEqual((await s.store.runners.list()).map((r) => [r.name, r.labels]), [['big', ['gpu', 'local']]]);
  // Offline runners (not seen within a lease) do not count.
  await s.createRun(wf(job('again').replace('runs-on: local', 'runs-on: gpu')));
  await s.scheduler.sweepRunnerWaits(60_000, Date.now() + 31_000);
  const again = (await s.store.runs.queuedJobs())[0]!;
  assert.equal(again.runner_wait, 'waiting for a runner with labels [gpu]; no runner is online');
});

void test('a runner an admin paused or drains takes no job: the job waits for another and says which runner offers its labels but is steered', () => {
  const job = { runs_on: '["gpu"]', runner_wait: null, runner_wait_since: null };
  const step = runnerWaitStep(job, [runner('g1', ['gpu'], 'paused'), runner('cpu', ['linux'])], 0, { afterMs: 60_000 });
  assert.deepEqual(step, { action: 'wait', since: new Date(0).toISOString(), message: 'waiting for a runner with labels [gpu]; online runners offer [linux]; runner g1 offering them is paused (slipway runners resume)' });
  assert.equal(waitingMessage(['gpu'], [runner('g1', ['gpu'], 'draining')]), 'waiting for a runner with labels [gpu]; no online runner takes jobs; runner g1 offering them is draining (slipway runners resume)');
  assert.deepEqual(runnerWaitStep(job, [runner('g1', ['gpu'], 'paused'), runner('g2', ['gpu'])], 0, { afterMs: 60_000 }), { action: 'none' });
});
