// What every RunnerApi transport must do, as node:test cases (Woodpecker's rpc.Peer: next,
// extend, log, done, wait for cancel): claims hand out each job once as plain values,
// heartbeats hold the lease only while the job is the runner's, log chunks numbered by
// sequence are stored once however often they are sent, completion is final, and a cancel
// reaches the runner by its next heartbeat. The in-process implementation
// (in-process.test.ts) and the HTTP one against a real server (test/e2e/runner-http-protocol.test.ts) run it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStatus } from '../../core/types.ts';
import { isSlipwayError } from '../../core/errors.ts';
import type { RunnerApi } from './runner-api.ts';

/** A server with a RunnerApi, and the server-side views the contract checks through. */
interface RunnerApiFixture {
  /** A runner's API; it runs jobs labelled `local`. */
  api: RunnerApi;
  /** Queues a run of one job (`runs-on: local`) named `job`; returns the job's id. */
  queueJob(job: string): Promise<string>;
  /** The job as the server has it. */
  job(jobId: string): Promise<{ status: RunStatus; outputs: Record<string, string> }>;
  /** The job's log as the server stored it. */
  log(jobId: string): Promise<string>;
  /** Cancels the run the job belongs to, as a user would. */
  cancel(jobId: string): Promise<void>;
  /**
   * Commits `files` (`*.sh` executable) to a repository of this instance the queued jobs may
   * read, on branch main; answers its `uses:` (`local/<project>@main`) and the commit.
   */
  hostAction(files: Record<string, string>): Promise<{ uses: string; sha: string }>;
  close(): Promise<void>;
}

export function runRunnerApiContract(name: string, create: () => Promise<RunnerApiFixture>): void {
  describe(`RunnerApi contract: ${name}`, () => {
    let f: RunnerApiFixture;
    /** Claims the one queued job (the tests queue one at a time). */
    const claimOne = async () => {
      const claimed = await f.api.claim(['local']);
      assert.ok(claimed, 'a job was claimed');
      return claimed;
    };

    before(async () => {
      f = await create();
    });
    after(async () => {
      await f.close();
    });

    test('a claim hands out a queued job once, as plain values, to a runner with its labels', async () => {
      const id = await f.queueJob('build');
      assert.equal(await f.api.claim(['gpu']), undefined, 'a runner without the label gets nothing');
      const claimed = await claimOne();
      assert.equal(claimed.id, id);
      assert.deepEqual(JSON.parse(JSON.stringify(claimed)), claimed, 'the claim survives a JSON round trip unchanged');
      assert.equal(claimed.spec.id, 'build');
      assert.equal(claimed.logSeq, await f.api.nextLogSeq(id), 'the claim says where the log continues');
      assert.deepEqual(claimed.workflow.jobs.map((j) => j.id), ['build'], "of the workflow's jobs, only its own");
      assert.equal(claimed.contexts.github.job, 'build');
      assert.equal(claimed.contexts.github.repository, `slipway/${claimed.project}`, 'owner/name, as GitHub');
      assert.equal(claimed.contexts.github.sha, claimed.sha);
      assert.match(claimed.sha, /^[0-9a-f]{40}$/);
      assert.equal(await f.api.claim(['local']), undefined, 'the job is not handed out twice');
      await f.api.completeJob(id, 'success', {});
    });

    test('waitForWork returns after its timeout, and sooner when a job is queued', { timeout: 10_000 }, async () => {
      await f.api.waitForWork(20, new AbortController().signal);
      const waiting = f.api.waitForWork(60_000, new AbortController().signal);
      const id = await f.queueJob('later');
      await waiting;
      assert.equal((await claimOne()).id, id);
      await f.api.completeJob(id, 'success', {});
    });

    test('a heartbeat holds the lease while the job runs, and not after it completed', async () => {
      const id = await f.queueJob('held');
      await claimOne();
      assert.equal(await f.api.heartbeat(id), true);
      await f.api.completeJob(id, 'success', {});
      assert.equal(await f.api.heartbeat(id), false);
    });

    test('log chunks are stored once per sequence number, in order, and the log continues after the last', async () => {
      const id = await f.queueJob('logs');
      await claimOne();
      const first = await f.api.nextLogSeq(id);
      await f.api.appendLog(id, first, 'one\n');
      await f.api.appendLog(id, first + 1, 'two\n');
      await f.api.appendLog(id, first, 'one\n'); // A retried upload.
      await f.api.appendLog(id, first + 1, 'two\n');
      assert.equal(await f.api.nextLogSeq(id), first + 2);
      await f.api.appendLog(id, first + 2, 'three\n');
      assert.equal(await f.log(id), 'one\ntwo\nthree\n');
      await f.api.completeJob(id, 'success', {});
    });

    test('a step started or skipped again (a retried call) is the same step; a log chunk it carries is stored once', async () => {
      const id = await f.queueJob('steps');
      await claimOne();
      const seq = await f.api.nextLogSeq(id);
      const step = await f.api.startStep(id, 1, 'build', { seq, text: 'set up\n' });
      assert.equal(await f.api.startStep(id, 1, 'build', { seq, text: 'set up\n' }), step);
      assert.equal(await f.log(id), 'set up\n', 'the retried call stored it once');
      assert.equal(await f.api.nextLogSeq(id), seq + 1);
      assert.notEqual(await f.api.startStep(id, 2, 'test'), step);
      await f.api.skipStep(id, 3, 'deploy');
      await f.api.skipStep(id, 3, 'deploy');
      await f.api.completeJob(id, 'success', {});
    });

    test('completing a job records its result and outputs; a second completion changes nothing', async () => {
      const id = await f.queueJob('done');
      await claimOne();
      await f.api.completeJob(id, 'failure', { answer: '42' });
      await f.api.completeJob(id, 'success', { answer: 'other' });
      assert.deepEqual(await f.job(id), { status: 'failure', outputs: { answer: '42' } });
    });

    test("a completion stores the log's last chunk it carries; with `next` it claims the runner's next job in the same call, or answers none", async () => {
      const first = await f.queueJob('first');
      await claimOne();
      const second = await f.queueJob('second');
      const next = await f.api.completeJob(first, 'success', {}, undefined, { next: { labels: ['gpu'] } });
      assert.equal(next, undefined, 'a runner without the label gets nothing');
      const third = await f.queueJob('third');
      const claimed = await f.api.completeJob(second, 'success', {}, undefined, { next: { labels: ['local'] } }).catch((err: unknown) => err);
      assert.ok(isSlipwayError(claimed, 'LEASE_LOST'), 'a job the runner never claimed is refused');
      const taken = await f.api.claim(['local']);
      assert.equal(taken?.id, second);
      const seq = await f.api.nextLogSeq(second);
      const then = await f.api.completeJob(second, 'success', {}, undefined, { log: { seq, text: 'the last line\n' }, next: { labels: ['local'] } });
      assert.equal(await f.log(second), 'the last line\n', "the log's last chunk, stored with the report");
      assert.equal(then?.id, third, 'the next job, claimed as the first was reported');
      assert.equal(then.token.length > 0, true);
      assert.equal(await f.api.heartbeat(third), true, 'held by this runner');
      assert.equal(await f.api.completeJob(third, 'success', {}, undefined, { next: { labels: ['local'] } }), undefined, 'nothing left');
      assert.equal((await f.job(second)).status, 'success');
    });

    test('a cancel reaches the listener of the job, and not after it unsubscribed', { timeout: 10_000 }, async () => {
      const id = await f.queueJob('cancel-me');
      await claimOne();
      let late = 0;
      const unsubscribeLate = f.api.onCancel(id, () => late++);
      unsubscribeLate();
      let unsubscribe = () => {};
      const cancelled = new Promise<void>((resolve) => (unsubscribe = f.api.onCancel(id, resolve)));
      await f.cancel(id);
      // A cancel reaches the runner by its next heartbeat at the latest (over HTTP, in the heartbeat's answer).
      assert.equal(await f.api.heartbeat(id), false, 'a cancelled job holds no lease to renew');
      await cancelled;
      unsubscribe();
      assert.equal(late, 0);
      await f.api.completeJob(id, 'cancelled', {});
      assert.equal((await f.job(id)).status, 'cancelled');
    });

    test("resolveAction hands over the tree of the commit a ref names, files and modes whole; again from the cache; a missing ref says which", async () => {
      const { uses, sha } = await f.hostAction({
        'action.yml': 'name: hello\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: bash "${{ github.action_path }}/bin/hello.sh"\n',
        'bin/hello.sh': 'echo hello from the action\n',
      });
      const id = await f.queueJob('uses-action');
      await claimOne();
      const first = await f.api.resolveAction(id, uses);
      assert.deepEqual([first.sha, first.source], [sha, 'instance']);
      assert.match(readFileSync(join(first.tree, 'action.yml'), 'utf8'), /^name: hello\n/);
      assert.equal(readFileSync(join(first.tree, 'bin/hello.sh'), 'utf8'), 'echo hello from the action\n');
      assert.equal(statSync(join(first.tree, 'bin/hello.sh')).mode & 0o111, 0o111, 'the executable bit travels');
      const again = await f.api.resolveAction(id, uses);
      assert.deepEqual([again.sha, again.tree, again.cached], [sha, first.tree, true], 'the second resolution uses the cached tree');
      const missing = uses.replace(/@.*$/, '@v404');
      await assert.rejects(f.api.resolveAction(id, missing), (err) => isSlipwayError(err, 'ACTION_UNRESOLVED') && /has no tag or branch v404/.test(err.message));
      await f.api.completeJob(id, 'success', {});
    });
  });
}
