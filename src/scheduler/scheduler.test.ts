// The scheduler against a real in-memory SQLite store and a real event bus: claims, needs,
// labels, leases, completion, cancellation and recovery.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup, job, wf } from './test-support.ts';

/** build ← test ← deploy: a chain. */
const chain = wf(job('build'), job('test', '    needs: build\n'), job('deploy', '    needs: test\n'));

void test('a job becomes claimable only after every job it needs has finished', async () => {
  const s = await setup();
  const run = await s.createRun(chain);
  const first = await s.scheduler.claim('r1', ['local']);
  assert.equal(first?.job.key, 'build');
  assert.equal(first.job.status, 'running');
  assert.equal(first.job.runner, 'r1');
  assert.deepEqual(first.needs, {});
  assert.equal(first.spec.id, 'build');
  // build is running: test and deploy must wait.
  assert.equal(await s.scheduler.claim('r2', ['local']), undefined);
  assert.equal((await s.store.runs.require(run.id)).status, 'running');

  await s.scheduler.completeJob(first.job.id, 'r1', 'success', { artifact: 'x' });
  const second = await s.scheduler.claim('r2', ['local']);
  assert.equal(second?.job.key, 'test');
  assert.deepEqual(second.needs, { build: { result: 'success', outputs: { artifact: 'x' } } });
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
});

void test("a runner gets a job only if its labels include all the job's runs-on labels", async () => {
  const s = await setup();
  await s.createRun(wf('  gpu:\n    runs-on: [local, gpu]\n    steps:\n      - run: train\n'));
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
  assert.equal(await s.scheduler.claim('r1', ['gpu']), undefined);
  assert.equal(await s.scheduler.claim('r1', []), undefined);
  const claimed = await s.scheduler.claim('r2', ['linux', 'gpu', 'local']);
  assert.equal(claimed?.job.key, 'gpu');
});

void test('concurrent claims never hand out the same job', async () => {
  const s = await setup();
  await s.createRun(wf(job('a'), job('b'), job('c')));
  const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => s.scheduler.claim(`r${i}`, ['local'])));
  const won = claims.filter((c) => c !== undefined);
  assert.equal(won.length, 3);
  assert.deepEqual(won.map((c) => c.job.key).sort(), ['a', 'b', 'c']);
  // Each job's stored holder is the runner that got it.
  for (const c of won) assert.equal((await s.store.runs.job(c.job.id))?.runner, c.job.runner);
});

void test('all jobs succeeding finishes the run as success and emits run-finished once', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('a'), job('b')));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  const b = (await s.scheduler.claim('r2', ['local']))!;
  await s.scheduler.completeJob(a.job.id, 'r1', 'success', {});
  assert.equal((await s.store.runs.require(run.id)).status, 'running');
  assert.equal(s.count('run-finished'), 0);
  await s.scheduler.completeJob(b.job.id, 'r2', 'success', {});
  const done = await s.store.runs.require(run.id);
  assert.equal(done.status, 'success');
  assert.ok(done.finished_at);
  // A duplicate completion changes nothing and does not finish the run twice.
  await s.scheduler.completeJob(b.job.id, 'r2', 'failure', {});
  assert.equal((await s.store.runs.job(b.job.id))?.status, 'success');
  assert.equal(s.count('run-finished', run.id), 1);
  assert.equal(s.count('stream-end', `job:${a.job.id}`), 1);
});

void test('a failed job fails the run; a job needing it without `if` is skipped', async () => {
  const s = await setup();
  const run = await s.createRun(chain);
  const build = (await s.scheduler.claim('r1', ['local']))!;
  await s.scheduler.completeJob(build.job.id, 'r1', 'failure', {}, 'exit code 1');
  // test and deploy are skipped, nothing is handed out.
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.build?.status, 'failure');
  assert.equal(jobs.build?.error, 'exit code 1');
  assert.equal(jobs.test?.status, 'skipped');
  assert.equal(jobs.deploy?.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(s.count('run-finished', run.id), 1);
});

void test('a job with `if` is handed to the runner with its needs results after a need failed', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('build'), job('report', '    needs: build\n    if: always()\n')));
  const build = (await s.scheduler.claim('r1', ['local']))!;
  await s.scheduler.completeJob(build.job.id, 'r1', 'failure', { out: '1' });
  const report = await s.scheduler.claim('r1', ['local']);
  assert.equal(report?.job.key, 'report');
  assert.equal(report.spec.if, 'always()');
  assert.deepEqual(report.needs, { build: { result: 'failure', outputs: { out: '1' } } });
  // The runner decides the `if`; here it ran and succeeded, the run still failed.
  await s.scheduler.completeJob(report.job.id, 'r1', 'success', {});
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(s.count('run-finished', run.id), 1);
});

/** The lease tests' start: one job `a`, claimed by runner r1 under a 1 s lease. */
async function claimedJob() {
  const s = await setup(1000);
  await s.createRun(wf(job('a')));
  return { s, a: (await s.scheduler.claim('r1', ['local']))! };
}

void test('heartbeat renews the lease of its holder only', async () => {
  const { s, a } = await claimedJob();
  const before = Date.parse(a.job.lease_expires_at!);
  // Let the clock move past the claim's millisecond so a renewed lease is strictly later.
  const claimedAt = before - 1000;
  while (Date.now() <= claimedAt) await new Promise((r) => setImmediate(r));
  assert.equal(await s.scheduler.heartbeat(a.job.id, 'r1'), true);
  const after = Date.parse((await s.store.runs.job(a.job.id))!.lease_expires_at!);
  assert.ok(after > before, `lease ${after} should be later than ${before}`);
  assert.equal(await s.scheduler.heartbeat(a.job.id, 'r2'), false);
  assert.equal(Date.parse((await s.store.runs.job(a.job.id))!.lease_expires_at!), after);
  // A finished job has no lease to renew.
  await s.scheduler.completeJob(a.job.id, 'r1', 'success', {});
  assert.equal(await s.scheduler.heartbeat(a.job.id, 'r1'), false);
});

void test('an expired lease re-queues the job as attempt 2; attempt 1 keeps its steps and its log, closed and marked', async () => {
  const s = await setup(1000);
  await s.createRun(wf(job('a')));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  await s.store.runs.addHeldStep({ jobId: a.job.id, runner: 'r1' }, 1, 1, 'Run echo a', 'running');
  // The step's group, a closed `::group::` and an open one (a line that only mentions a marker does not count).
  await s.store.logs.append(`job:${a.job.id}`, 0, '##[group]Run echo a\n##[group]one\nx ##[group]\n##[endgroup]\n');
  await s.store.logs.append(`job:${a.job.id}`, 1, '##[group]two\npartial\n');
  // Not yet expired: nothing moves.
  assert.equal(await s.scheduler.requeueExpired(), 0);
  const lease = Date.parse(a.job.lease_expires_at!);
  assert.equal(await s.scheduler.requeueExpired(lease + 1), 1);
  const requeued = (await s.store.runs.job(a.job.id))!;
  assert.equal(requeued.status, 'queued');
  assert.equal(requeued.runner, null);
  assert.equal(requeued.lease_expires_at, null);
  assert.equal(requeued.started_at, null);
  assert.equal(requeued.attempt, 2);
  assert.deepEqual((await s.store.runs.steps(a.job.id, 1)).map((st) => st.name), ['Run echo a']);
  assert.deepEqual(await s.store.runs.steps(a.job.id, 2), []);
  const first = (await s.store.logs.read(`job:${a.job.id}`)).map((c) => c.text).join('');
  assert.equal(first, '##[group]Run echo a\n##[group]one\nx ##[group]\n##[endgroup]\n##[group]two\npartial\n##[endgroup]\n##[endgroup]\n##[error]Attempt 1 interrupted: its runner stopped reporting (the lease expired); the job runs again as attempt 2.\n');
  assert.deepEqual(await s.store.logs.read(`job:${a.job.id}:2`), []);
  assert.deepEqual((await s.store.runs.interruptedAttempts(a.job.id)).map((x) => [x.attempt, x.status]), [[1, 'interrupted']]);
  assert.equal(s.count('stream-end', `job:${a.job.id}`), 1);
  assert.ok(s.count('jobs-available') >= 1);

  // The old holder lost it: its completion is ignored and its heartbeat fails.
  const again = (await s.scheduler.claim('r2', ['local']))!;
  assert.equal(again.job.id, a.job.id);
  assert.equal(again.job.attempt, 2);
  await s.scheduler.completeJob(a.job.id, 'r1', 'failure', {});
  assert.equal((await s.store.runs.job(a.job.id))?.status, 'running');
  assert.equal(await s.scheduler.heartbeat(a.job.id, 'r1'), false);
  await s.scheduler.completeJob(a.job.id, 'r2', 'success', {});
  assert.equal((await s.store.runs.job(a.job.id))?.status, 'success');
  assert.equal((await s.store.runs.require(again.run.id)).status, 'success');
});

void test("recover(prefix) re-queues this server's own running jobs and leaves others' alone", async () => {
  const s = await setup();
  await s.createRun(wf(job('a'), job('b')));
  const mine = (await s.scheduler.claim('builtin-host', ['local']))!;
  const theirs = (await s.scheduler.claim('remote-1', ['local']))!;
  assert.equal(await s.scheduler.recover('builtin-'), 1);
  const a = (await s.store.runs.job(mine.job.id))!;
  assert.equal(a.status, 'queued');
  assert.equal(a.attempt, 2);
  const b = (await s.store.runs.job(theirs.job.id))!;
  assert.equal(b.status, 'running');
  assert.equal(b.runner, 'remote-1');
  assert.equal(b.attempt, 1);
});

void test("recover gives a remote runner's job whose lease ran out while the server was down one lease more, not a re-queue", async () => {
  const s = await setup();
  await s.createRun(wf(job('a')));
  const theirs = (await s.scheduler.claim('remote-1', ['local']))!;
  await s.store.runs.setJob(theirs.job.id, { lease_expires_at: new Date(Date.now() - 1000).toISOString() });
  assert.equal(await s.scheduler.recover('builtin-'), 0);
  const b = (await s.store.runs.job(theirs.job.id))!;
  assert.deepEqual([b.status, b.runner, b.attempt], ['running', 'remote-1', 1]);
  assert.ok(Date.parse(b.lease_expires_at!) > Date.now(), 'a lease from now');
  assert.equal(await s.scheduler.heartbeat(theirs.job.id, 'remote-1'), true, 'its runner is heard again');
});

void test('cancelRun cancels queued jobs and asks running ones to stop', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('a'), job('b', '    needs: a\n'), job('c')));
  const a = (await s.scheduler.claim('r1', ['local']))!;
  assert.equal(a.job.key, 'a');
  await s.scheduler.cancelRun(run.id);
  let jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.a?.status, 'running');
  assert.equal(jobs.b?.status, 'cancelled');
  assert.equal(jobs.c?.status, 'cancelled');
  assert.equal(s.count('job-cancel', a.job.id), 1);
  assert.equal(s.count('run-finished'), 0);
  // The runner stops the job and reports it cancelled: the run ends cancelled.
  await s.scheduler.completeJob(a.job.id, 'r1', 'cancelled', {});
  jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.a?.status, 'cancelled');
  assert.equal((await s.store.runs.require(run.id)).status, 'cancelled');
  assert.equal(s.count('run-finished', run.id), 1);
  // Cancelling a finished run does nothing.
  await s.scheduler.cancelRun(run.id);
  assert.equal(s.count('job-cancel'), 1);
  assert.equal(s.count('run-finished', run.id), 1);
});

void test('a run whose jobs are all queued is cancelled at once', async () => {
  const s = await setup();
  const run = await s.createRun(chain);
  await s.scheduler.cancelRun(run.id);
  assert.equal((await s.store.runs.require(run.id)).status, 'cancelled');
  assert.equal(s.count('run-finished', run.id), 1);
  assert.equal(s.count('job-cancel'), 0);
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
});

void test('a job to be skipped is skipped even when no runner has its labels, so the run finishes', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('build'), '  deploy:\n    runs-on: production\n    needs: build\n    steps:\n      - run: ship\n'));
  const build = (await s.scheduler.claim('r1', ['local']))!;
  await s.scheduler.completeJob(build.job.id, 'r1', 'failure', {});
  // The only runner around cannot run `deploy`, but `deploy` will never run anyway.
  assert.equal(await s.scheduler.claim('r1', ['local']), undefined);
  assert.equal((await s.jobsByKey(run.id)).deploy?.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(s.count('run-finished', run.id), 1);
});

void test('requeueExpired leaves a job whose lease was renewed after it was read (the expiry is checked in the UPDATE)', async () => {
  const { s, a } = await claimedJob();
  const stale = (await s.store.runs.job(a.job.id))!;
  const lease = Date.parse(stale.lease_expires_at!);
  // The sweep read the job when its lease had run out; a heartbeat renews it before the UPDATE.
  await s.store.runs.renewLease(a.job.id, 'r1', new Date(lease + 60_000).toISOString());
  const requeue = { status: 'queued', runner: null, lease_expires_at: null, attempt: 2 } as const;
  assert.equal(await s.store.runs.endExpiredAttempt(stale, new Date(lease + 1).toISOString(), 'test', requeue), false);
  const held = (await s.store.runs.job(a.job.id))!;
  assert.equal(held.status, 'running');
  assert.equal(held.runner, 'r1');
  // Truly expired: re-queued once; a second sweep with the same stale row changes nothing.
  assert.equal(await s.store.runs.endExpiredAttempt(held, new Date(lease + 120_000).toISOString(), 'test', requeue), true);
  assert.equal(await s.store.runs.endExpiredAttempt(held, new Date(lease + 120_000).toISOString(), 'test', requeue), false);
  assert.equal((await s.store.runs.job(a.job.id))?.attempt, 2);
});

void test('jobs whose need failed are skipped when it finishes, without any runner claiming', async () => {
  const s = await setup();
  const run = await s.createRun(chain);
  const build = (await s.scheduler.claim('r1', ['local']))!;
  await s.scheduler.completeJob(build.job.id, 'r1', 'failure', {});
  // No claim since: the skips and the run's end happened on completion.
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.test?.status, 'skipped');
  assert.equal(jobs.deploy?.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(s.count('run-finished', run.id), 1);
});

void test('retry-on-crash: false: a job interrupted by a crash fails, saying so, instead of running again', async () => {
  const s = await setup();
  const run = await s.createRun(wf(job('once', '    retry-on-crash: false\n'), job('after', '    needs: once\n')));
  const claimed = (await s.scheduler.claim('builtin-x', ['local']))!;
  assert.equal(claimed.spec.retryOnCrash, false);
  assert.equal(await s.scheduler.recover('builtin-'), 1);
  const once = (await s.store.runs.job(claimed.job.id))!;
  assert.equal(once.status, 'failure');
  assert.equal(once.attempt, 1);
  assert.equal(once.error, 'interrupted by a server crash; retry-on-crash is false');
  assert.match((await s.store.logs.read(`job:${once.id}`)).map((c) => c.text).join(''), /##\[error\]Attempt 1 interrupted by a server crash; retry-on-crash is false, so the job fails\.\n$/);
  assert.equal((await s.jobsByKey(run.id)).after?.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(await s.scheduler.claim('builtin-x', ['local']), undefined);
});

void test('a job of the built-in runner found running at start-up is a crash: re-queued as attempt 2 at once, whatever its lease', async () => {
  const s = await setup();
  await s.createRun(wf(job('a')));
  const claimed = (await s.scheduler.claim('builtin-x', ['local']))!;
  assert.equal(await s.scheduler.recover('builtin-'), 1);
  const again = (await s.scheduler.claim('builtin-x', ['local']))!;
  assert.equal(again.job.id, claimed.job.id);
  assert.equal(again.job.attempt, 2);
  assert.match((await s.store.logs.read(`job:${claimed.job.id}`)).map((c) => c.text).join(''), /^##\[error\]Attempt 1 interrupted by a server crash; the job runs again as attempt 2\.\n$/);
});

void test('a claim pages on past a whole page of jobs it must pass over (max-parallel legs) to a later job it can take', async () => {
  const s = await setup();
  const legs = Array.from({ length: 25 }, (_, i) => i + 1).join(', ');
  await s.createRun(wf(`  m:\n    runs-on: local\n    strategy:\n      max-parallel: 1\n      matrix:\n        n: [${legs}]\n    steps:\n      - run: echo\n`));
  const later = await s.createRun(wf(job('after')));
  assert.equal((await s.scheduler.claim('r1', ['local']))?.job.key, 'm (1)');
  const next = await s.scheduler.claim('r2', ['local']);
  assert.equal(next?.job.run_id, later.id, '24 queued legs wait for max-parallel: the later run\'s job is handed out');
  assert.equal(await s.scheduler.claim('r3', ['local']), undefined);
});

void test('a won claim sends news on only when its page held more work for other runners', async () => {
  const s = await setup();
  await s.createRun(wf(job('one'), job('two')));
  let news = 0;
  s.events.on('jobs-available', () => news++);
  assert.ok(await s.scheduler.claim('r1', ['local']));
  assert.equal(news, 1, 'another job was claimable: the next waiter hears of it');
  assert.ok(await s.scheduler.claim('r2', ['local']));
  assert.equal(news, 1, 'nothing else was: no one is woken to find nothing');
});

void test("a report that claims next wakes no one for the work its own claim took, and wakes one for what it left", async () => {
  const s = await setup();
  // build ← test, and build ← lint ← ship: build's end readies two jobs.
  const run = await s.createRun(wf(job('build'), job('test', '    needs: build\n'), job('lint', '    needs: build\n'), job('ship', '    needs: lint\n')));
  let news = 0;
  s.events.on('jobs-available', () => news++);
  const build = (await s.scheduler.claim('r1', ['local']))!;
  const fanned = await s.scheduler.completeJob(build.job.id, 'r1', 'success', {}, undefined, undefined, true);
  assert.equal(news, 0, 'held back while the reporter claims');
  assert.equal(fanned?.readied.length, 2, 'test and lint became claimable');
  const test1 = (await s.scheduler.claim('r1', ['local'], fanned))!;
  s.scheduler.announce(build.job, fanned, test1.job.id);
  assert.equal(news, 1, 'lint was left for others: one wake-up, from the announce (the claim left the news of it to the reporter)');
  const lint = (await s.scheduler.claim('r2', ['local']))!;
  news = 0;
  const chained = await s.scheduler.completeJob(lint.job.id, 'r2', 'success', {}, undefined, undefined, true);
  const ship = (await s.scheduler.claim('r2', ['local'], chained))!;
  assert.equal(ship.job.key, 'ship');
  s.scheduler.announce(lint.job, chained, ship.job.id);
  assert.equal(news, 0, 'the one job it readied went to the reporter: no one is woken to find nothing');
  // Without a claim to follow, the end is news at once.
  await s.scheduler.completeJob(test1.job.id, 'r1', 'success', {});
  assert.equal(news, 1);
  assert.equal((await s.store.runs.require(run.id)).status, 'running');
});

void test("a job a report readied is left to the reporter's claim; if that claim cannot take it, the news goes out", async () => {
  const s = await setup();
  await s.createRun(wf(job('a'), job('b', '    needs: a\n'), '  c:\n    needs: b\n    runs-on: gpu\n    steps:\n      - run: train\n'));
  let news = 0;
  s.events.on('jobs-available', () => news++);
  const a = (await s.scheduler.claim('r1', ['local']))!;
  const afterA = await s.scheduler.completeJob(a.job.id, 'r1', 'success', {}, undefined, undefined, true);
  assert.equal(await s.scheduler.claim('r2', ['local']), undefined, 'another claim meanwhile passes b over: its reporter is about to look');
  const b = (await s.scheduler.claim('r1', ['local'], afterA))!;
  assert.equal(b.job.key, 'b');
  s.scheduler.announce(a.job, afterA, b.job.id);
  assert.equal(news, 0);
  // b's end readies c, which needs a label its reporter lacks: the others hear of it.
  const afterB = await s.scheduler.completeJob(b.job.id, 'r1', 'success', {}, undefined, undefined, true);
  assert.equal(await s.scheduler.claim('r1', ['local'], afterB), undefined);
  s.scheduler.announce(b.job, afterB, undefined);
  assert.equal(news, 1);
  assert.equal((await s.scheduler.claim('r3', ['gpu']))?.job.key, 'c', 'and once announced, c is anyone\'s');
});

void test("a report's claim takes what its end readied before a job another server's report readied just now, never before one that has waited", async () => {
  const s = await setup();
  const older = await s.createRun(wf(job('x1'), job('x2', '    needs: x1\n')));
  await s.createRun(wf(job('y1'), job('y2', '    needs: y1\n')));
  const x1 = (await s.scheduler.claim('r1', ['local']))!;
  const y1 = (await s.scheduler.claim('r2', ['local']))!;
  assert.deepEqual([x1.job.key, y1.job.key], ['x1', 'y1']);
  // x1 ends on another server: its advance there marks x2 ready now, and its reporter is about to claim it.
  await s.store.runs.transitionJob(x1.job.id, ['running'], { status: 'success', finished_at: new Date().toISOString() });
  const x2 = (await s.store.runs.jobs(older.id)).find((j) => j.key === 'x2')!;
  await s.store.runs.markReady([x2.id], new Date().toISOString());
  const advanced = await s.scheduler.completeJob(y1.job.id, 'r2', 'success', {}, undefined, undefined, true);
  const next = await s.scheduler.claim('r2', ['local'], advanced);
  s.scheduler.announce(y1.job, advanced, next?.job.id);
  assert.equal(next?.job.key, 'y2', "x2 is older, but its own reporter is about to take it: this one takes its own");
  // Once x2 has waited past the reporter's moment, it is the oldest again and goes first.
  const s2 = await setup();
  const first = await s2.createRun(wf(job('x1'), job('x2', '    needs: x1\n')));
  await s2.createRun(wf(job('y1'), job('y2', '    needs: y1\n')));
  const a = (await s2.scheduler.claim('r1', ['local']))!;
  const b = (await s2.scheduler.claim('r2', ['local']))!;
  await s2.store.runs.transitionJob(a.job.id, ['running'], { status: 'success', finished_at: new Date().toISOString() });
  const waited = (await s2.store.runs.jobs(first.id)).find((j) => j.key === 'x2')!;
  await s2.store.runs.markReady([waited.id], new Date(Date.now() - 1000).toISOString());
  const after = await s2.scheduler.completeJob(b.job.id, 'r2', 'success', {}, undefined, undefined, true);
  const took = await s2.scheduler.claim('r2', ['local'], after);
  s2.scheduler.announce(b.job, after, took?.job.id);
  assert.equal(took?.job.key, 'x2', 'a job that has waited keeps its turn, oldest first');
});
