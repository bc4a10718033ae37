// The scheduler reports each attempt's start and end with its times ('job-started',
// 'job-ended'), from the rows of its claim and its compare-and-sets: once per attempt, and
// the figures are the rows' own (queue wait from the job becoming runnable).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { job, setup, wf } from './test-support.ts';
import { secondsSince } from './job-times.ts';

const follow = (s: Awaited<ReturnType<typeof setup>>) => {
  const started: [string, string, number][] = [];
  const ended: [string, string, string, number][] = [];
  s.events.on('job-started', (...a) => started.push(a));
  s.events.on('job-ended', (...a) => ended.push(a));
  return { started, ended };
};

void test('a claim reports the wait from the job becoming runnable (created, or its need finished); an end reports the run time and status', async () => {
  const s = await setup();
  const { started, ended } = follow(s);
  const run = await s.createRun(wf(job('a'), job('b', '    needs: a\n'), job('c', '    needs: b\n')));
  await s.runOne('success');
  let jobs = await s.jobsByKey(run.id);
  assert.deepEqual(started, [[jobs.a!.id, run.id, secondsSince(jobs.a!.created_at, Date.parse(jobs.a!.started_at!))]]);
  assert.equal(ended.length, 1);
  const [id, runId, status, ran] = ended[0]!;
  assert.deepEqual([id, runId, status], [jobs.a!.id, run.id, 'success']);
  // Measured at the end, a moment after the row's finished_at was written: close to it.
  assert.ok(Math.abs(ran - secondsSince(jobs.a!.started_at!, Date.parse(jobs.a!.finished_at!))) < 0.05, String(ran));

  await s.runOne('failure');
  jobs = await s.jobsByKey(run.id);
  assert.deepEqual(started[1], [jobs.b!.id, run.id, secondsSince(jobs.a!.finished_at!, Date.parse(jobs.b!.started_at!))]);
  assert.deepEqual(ended.slice(1).map(([j, , st]) => [j, st]), [[jobs.b!.id, 'failure']], 'c was skipped: it never started, so it has no run time');
  assert.equal(jobs.c!.status, 'skipped');
  assert.equal(started.length, 2);
});

void test('an interrupted attempt that runs again starts twice and ends once; one that fails (retry-on-crash: false) ends as a failure', async () => {
  const s = await setup();
  const { started, ended } = follow(s);
  await s.createRun(wf(job('again'), job('once', '    retry-on-crash: false\n')));
  const first = (await s.scheduler.claim('builtin-x', ['local']))!;
  const second = (await s.scheduler.claim('builtin-x', ['local']))!;
  assert.equal(await s.scheduler.recover('builtin-'), 2);
  const byId = (id: string) => (id === first.job.id ? first.job.key : second.job.key);
  assert.deepEqual(ended.map(([j, , st]) => [byId(j), st]), [['once', 'failure']]);
  const again = (await s.scheduler.claim('builtin-x', ['local']))!;
  assert.equal(again.job.attempt, 2);
  await s.scheduler.completeJob(again.job.id, 'builtin-x', 'success', {});
  assert.deepEqual(started.map(([j]) => byId(j)).sort(), ['again', 'again', 'once']);
  assert.deepEqual(ended.map(([j, , st]) => [byId(j), st]), [['once', 'failure'], ['again', 'success']]);
});
