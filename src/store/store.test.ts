// The store's contract: the repositories against a real SQLite database (in memory) and a
// real PostgreSQL (a throwaway cluster, src/store/test-postgres.ts), the same tests on both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { openDatabase, migrate, type Db } from './database.ts';
import { createStore, type Store } from './store.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { NewRun } from './repos/runs.ts';
import { migrations } from './migrations/index.ts';
import { startPostgres, type TestPostgres } from './test-postgres.ts';


const newRun = (projectId: string, jobs: NewRun['jobs'] = []): NewRun => ({
  projectId, workflow: '.slipway/workflows/ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'b'.repeat(40), jobs,
});

type Connect = () => Promise<Parameters<typeof openDatabase>[0]>;

const backends: { name: string; start(): Promise<{ connect: Connect; stop(): Promise<void> }> }[] = [
  { name: 'SQLite', start: async () => ({ connect: async () => ({ sqlitePath: ':memory:' }), stop: async () => {} }) },
  {
    name: 'PostgreSQL',
    async start() {
      const pg: TestPostgres = await startPostgres();
      return { connect: async () => ({ url: await pg.database() }), stop: () => pg.stop() };
    },
  },
];

for (const backend of backends) {
  void describe(`the store on ${backend.name}`, () => {
    let cluster: Awaited<ReturnType<(typeof backend)['start']>>;
    const opened: Db[] = [];
    before(async () => {
      cluster = await backend.start();
    });
    after(async () => {
      for (const db of opened) await db.destroy();
      await cluster?.stop();
    });
    const database = async () => {
      const db = openDatabase(await cluster.connect());
      opened.push(db);
      return db;
    };
    async function open(): Promise<{ db: Db; store: Store }> {
      const db = await database();
      await migrate(db);
      return { db, store: createStore(db) };
    }

    it('migrate applies the schema once; a second migrate applies nothing', async () => {
      const db = await database();
      assert.deepEqual(await migrate(db), Object.keys(migrations));
      assert.deepEqual(await migrate(db), []);
    });

    it('projects.ensure is idempotent and rejects invalid names', async () => {
      const { store } = await open();
      const first = await store.projects.ensure('my-app.v2');
      const again = await store.projects.ensure('my-app.v2');
      assert.equal(again.id, first.id);
      assert.deepEqual((await store.projects.list()).map((p) => p.name), ['my-app.v2']);
      assert.equal((await store.projects.byId(first.id))?.name, 'my-app.v2');
      for (const bad of ['', 'Upper', '-dash', 'dash-', 'a..b', 'a/b', 'with space', 'x'.repeat(65)]) {
        await assert.rejects(store.projects.ensure(bad), (e) => isSlipwayError(e, 'INVALID_NAME'), `"${bad}" should be rejected`);
      }
      assert.equal((await store.projects.list()).length, 1);
      await assert.rejects(store.projects.require('nope'), (e) => isSlipwayError(e, 'PROJECT_UNKNOWN'));
    });

    it('tokens are stored hashed and find their user; a wrong token finds nothing', async () => {
      const { db, store } = await open();
      assert.equal(await store.users.count(), 0);
      const alice = await store.users.create('alice', 'admin');
      const bob = await store.users.create('bob', 'member');
      const token = await store.users.createToken(alice.id, 'laptop');
      const bobToken = await store.users.createToken(bob.id, 'ci');
      assert.match(token, /^slp_/);
      assert.notEqual(token, bobToken);
      assert.equal(await store.users.count(), 2);

      const rows = await db.selectFrom('tokens').selectAll().execute();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        for (const value of Object.values(row)) {
          assert.ok(!String(value).includes(token) && !String(value).includes(bobToken), 'a plain token is in the tokens table');
        }
      }
      const hashes = rows.map((r) => r.hash).sort();
      assert.deepEqual(hashes, [token, bobToken].map((t) => createHash('sha256').update(t).digest('hex')).sort());

      // Rows from node:sqlite have a null prototype: compare their fields.
      assert.deepEqual({ ...(await store.users.byToken(token)) }, alice);
      assert.deepEqual({ ...(await store.users.byToken(bobToken)) }, bob);
      assert.equal(await store.users.byToken(`${token}x`), undefined);
      assert.equal(await store.users.byToken(''), undefined);
      assert.equal((await store.users.byName('bob'))?.id, bob.id);
    });

    it('runs are numbered per project 1, 2, 3 with their jobs in plan order', async () => {
      const { store } = await open();
      const a = await store.projects.ensure('a');
      const b = await store.projects.ensure('b');
      const jobs = [
        { key: 'build', name: 'Build', needs: [], runsOn: ['local'] },
        { key: 'test', name: 'Test', needs: ['build'], runsOn: ['local', 'linux'] },
      ];
      const numbers = [];
      for (let i = 0; i < 3; i++) numbers.push((await store.runs.create(newRun(a.id, jobs))).number);
      assert.deepEqual(numbers, [1, 2, 3]);
      const other = await store.runs.create(newRun(b.id));
      assert.equal(other.number, 1);

      const run = (await store.runs.byNumber(a.id, 2))!;
      assert.equal(run.status, 'queued');
      const created = await store.runs.jobs(run.id);
      assert.deepEqual(created.map((j) => [j.key, j.position, j.status, j.attempt, JSON.parse(j.needs), JSON.parse(j.runs_on)]), [
        ['build', 0, 'queued', 1, [], ['local']],
        ['test', 1, 'queued', 1, ['build'], ['local', 'linux']],
      ]);
      assert.deepEqual((await store.runs.list({ projectId: a.id })).map((r) => r.number), [3, 2, 1]);
      assert.equal((await store.runs.list()).length, 4);
    });

    it('runs.create writes the run and its jobs in one transaction', async () => {
      const { store } = await open();
      const p = await store.projects.ensure('p');
      // The second job violates NOT NULL: neither the run nor the first job may remain.
      const broken = [
        { key: 'ok', name: 'ok', needs: [], runsOn: ['local'] },
        { key: 'bad', name: null as unknown as string, needs: [], runsOn: ['local'] },
      ];
      await assert.rejects(store.runs.create(newRun(p.id, broken)));
      assert.deepEqual(await store.runs.list(), []);
      assert.deepEqual(await store.runs.queuedJobs(), []);
      // The number was not used up.
      assert.equal((await store.runs.create(newRun(p.id))).number, 1);
    });

    it('claimableJobs: queued jobs whose needs finished (marked by the advance, and checked) and whose labels the runner has, oldest first, a page at a time; claimQueuedJob wins once', async () => {
      const { store } = await open();
      const p = await store.projects.ensure('p');
      const run = await store.runs.create(newRun(p.id, [
        { key: 'build', name: 'build', needs: [], runsOn: ['linux'] },
        { key: 'test (1, "x")', name: 'test', jobId: 'test', needs: ['build'], runsOn: ['linux'] },
        { key: 'gpu', name: 'gpu', needs: [], runsOn: ['linux', 'gpu'] },
        { key: 'any', name: 'any', needs: [], runsOn: [] },
      ]));
      const keys = async (labels: string[], page = { limit: 10, offset: 0 }) => (await store.runs.claimableJobs(labels, page)).map((j) => j.key);
      assert.deepEqual(await keys(['linux']), ['build', 'any'], 'test waits for build; gpu needs a label the runner lacks');
      assert.deepEqual(await keys(['gpu', 'linux']), ['build', 'gpu', 'any']);
      assert.deepEqual(await keys([]), ['any']);
      assert.deepEqual(await keys(['gpu', 'linux'], { limit: 1, offset: 1 }), ['gpu']);
      const [build] = await store.runs.jobs(run.id);
      const claims = await Promise.all([1, 2].map((n) => store.runs.claimQueuedJob(build!.id, { status: 'running', runner: `r${n}` })));
      assert.deepEqual(claims.sort(), [false, true], 'one claimer wins');
      assert.deepEqual(await keys(['linux']), ['any'], 'build runs: test still waits');
      const test = (await store.runs.jobs(run.id)).find((j) => j.key.startsWith('test'))!;
      assert.equal(test.ready_at, null, 'created waiting for build');
      await store.runs.markReady([test.id], new Date().toISOString());
      assert.deepEqual(await keys(['linux']), ['any'], 'marked too early, test is still held back by its unfinished need');
      await store.runs.transitionJob(build!.id, ['running'], { status: 'success' });
      assert.deepEqual(await keys(['linux']), ['test (1, "x")', 'any'], 'build finished and test marked: test may run');
      await store.runs.update(run.id, { concurrency_state: 'pending' });
      assert.deepEqual(await keys(['linux']), [], 'a run waiting for its concurrency group hands out nothing');
    });

    it('a run with an error is created already failed', async () => {
      const { store } = await open();
      const p = await store.projects.ensure('p');
      const run = await store.runs.create({ ...newRun(p.id), error: 'ci.yml:1:1: on: required' });
      assert.equal(run.status, 'failure');
      assert.ok(run.finished_at);
      assert.deepEqual(await store.runs.unfinished(), []);
      await assert.rejects(store.runs.require('run_nope'), (e) => isSlipwayError(e, 'RUN_UNKNOWN'));
    });

    it('runs.finish finishes a run once: a second finisher loses', async () => {
      const { store } = await open();
      const p = await store.projects.ensure('p');
      const run = await store.runs.create(newRun(p.id));
      const results = await Promise.all([store.runs.finish(run.id, 'success', new Date().toISOString()), store.runs.finish(run.id, 'failure', new Date().toISOString())]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal((await store.runs.require(run.id)).status, 'success');
    });

    it('runActions.unfinishedShas names the commits that runs not finished resolved, each once', async () => {
      const { store } = await open();
      const p = await store.projects.ensure('p');
      const running = await store.runs.create(newRun(p.id));
      const done = await store.runs.create(newRun(p.id));
      for (const [run, job, sha] of [[running, 'a', '1'], [running, 'b', '1'], [running, 'b', '2'], [done, 'a', '3']] as const) {
        await store.runActions.record(run.id, { jobId: job, uses: `local/x@v${sha}`, sha: sha.repeat(40), source: 'instance' });
      }
      await store.runs.finish(done.id, 'success', new Date().toISOString());
      assert.deepEqual([...(await store.runActions.unfinishedShas())].sort(), ['1'.repeat(40), '2'.repeat(40)]);
    });

    it('logs.append stores a chunk once per (stream, seq); read(after) returns chunks in order', async () => {
      const { store } = await open();
      assert.equal(await store.logs.lastSeq('job:1'), -1);
      assert.equal(await store.logs.append('job:1', 2, 'c'), true);
      assert.equal(await store.logs.append('job:1', 0, 'a'), true);
      assert.equal(await store.logs.append('job:1', 1, 'b'), true);
      // A retried upload: same seq, stored once, first text wins.
      assert.equal(await store.logs.append('job:1', 1, 'b again'), false);
      // Another stream has its own numbering.
      assert.equal(await store.logs.append('job:2', 0, 'other'), true);

      assert.deepEqual((await store.logs.read('job:1')).map((c) => [c.seq, c.text]), [[0, 'a'], [1, 'b'], [2, 'c']]);
      assert.deepEqual((await store.logs.read('job:1', 0)).map((c) => c.seq), [1, 2]);
      assert.deepEqual(await store.logs.read('job:1', 2), []);
      assert.equal(await store.logs.lastSeq('job:1'), 2);
      assert.deepEqual((await store.logs.read('job:2')).map((c) => c.text), ['other']);
    });

    it("a runner's step and log writes happen only while it holds the job, once per step number", async () => {
      const { store } = await open();
      const project = await store.projects.ensure('held');
      const run = await store.runs.create(newRun(project.id, [{ key: 'build', name: 'Build', needs: [], runsOn: ['local'] }]));
      const [job] = await store.runs.jobs(run.id);
      assert.ok(await store.runs.claimQueuedJob(job!.id, { status: 'running', runner: 'r1' }));
      const r1 = { jobId: job!.id, runner: 'r1' };
      const r2 = { jobId: job!.id, runner: 'r2' };
      const step = await store.runs.addHeldStep(r1, 1, 1, 'Run make', 'running');
      assert.equal(step?.status, 'running');
      assert.equal(await store.runs.addHeldStep(r1, 1, 1, 'Run make', 'running'), undefined, 'a retried start writes nothing');
      assert.equal(await store.runs.addHeldStep(r2, 1, 2, 'Run test', 'running'), undefined, 'another runner writes nothing');
      assert.equal((await store.runs.addHeldStep(r1, 1, 2, 'Deploy', 'skipped'))?.finished_at !== null, true);
      assert.equal(await store.runs.finishHeldStep(step!.id, 'r2', 'failure', 1), false);
      assert.equal(await store.runs.finishHeldStep(step!.id, 'r1', 'success', 0), true);
      assert.deepEqual((await store.runs.steps(job!.id, 1)).map((s) => [s.number, s.name, s.status, s.exit_code]), [[1, 'Run make', 'success', 0], [2, 'Deploy', 'skipped', null]]);
      assert.equal((await store.runs.stepNumbered(job!.id, 1, 2))?.name, 'Deploy');
      assert.equal(await store.logs.append('job:held', 0, 'not mine', r2), false);
      assert.equal(await store.logs.append('job:held', 0, 'mine', r1), true);
      await store.runs.transitionJob(job!.id, ['running'], { status: 'success' });
      assert.equal(await store.logs.append('job:held', 1, 'after the report', r1), false, "a finished job's log is closed");
      assert.deepEqual((await store.logs.read('job:held')).map((c) => c.text), ['mine']);
    });

    it("a run's jobs' steps and interrupted attempts are read for all the jobs at once, as one job at a time reads them", async () => {
      const { store } = await open();
      const project = await store.projects.ensure('batched');
      const keys = ['a', 'b', 'c'];
      const run = await store.runs.create(newRun(project.id, keys.map((key) => ({ key, name: key, needs: [], runsOn: ['local'] }))));
      const [a, b, c] = await store.runs.jobs(run.id);
      for (const job of [a!, b!]) assert.ok(await store.runs.claimQueuedJob(job.id, { status: 'running', runner: 'r1', started_at: '2026-12-02T00:00:00.000Z' }));
      // a: its first attempt lost its runner, two steps in attempt 2; b: one step; c: none.
      assert.ok(await store.runs.addHeldStep({ jobId: a!.id, runner: 'r1' }, 1, 1, 'first try', 'running'));
      assert.ok(await store.runs.endExpiredAttempt({ ...a!, status: 'running', runner: 'r1', started_at: '2026-12-02T00:00:00.000Z' }, '2026-12-02T01:00:00.000Z', 'lost', { status: 'queued', runner: null, attempt: 2 }));
      assert.ok(await store.runs.claimQueuedJob(a!.id, { status: 'running', runner: 'r1' }));
      for (const [n, name] of [[2, 'second'], [1, 'first']] as const) assert.ok(await store.runs.addHeldStep({ jobId: a!.id, runner: 'r1' }, 2, n, name, 'running'));
      assert.ok(await store.runs.addHeldStep({ jobId: b!.id, runner: 'r1' }, 1, 1, 'only', 'running'));
      const ids = [a!.id, b!.id, c!.id];
      const steps = await store.runs.stepsOf(ids);
      const attempts = await store.runs.interruptedAttemptsOf(ids);
      for (const id of ids) {
        const one = (await Promise.all([1, 2].map((n) => store.runs.steps(id, n)))).flat();
        assert.deepEqual(steps.get(id) ?? [], one, `the steps of ${id}, attempt then number order`);
        assert.deepEqual(attempts.get(id) ?? [], await store.runs.interruptedAttempts(id));
      }
      assert.deepEqual(steps.get(a!.id)?.map((s) => `${s.attempt}.${s.number} ${s.name}`), ['1.1 first try', '2.1 first', '2.2 second']);
      assert.deepEqual(attempts.get(a!.id)?.map((x) => x.reason), ['lost']);
      assert.equal(steps.has(c!.id), false);
      assert.deepEqual(await store.runs.stepsOf([]), new Map());
    });

    it('runs.get answers the same run when it leaves out the plan it kept', async () => {
      const { store } = await open();
      const project = await store.projects.ensure('planned');
      const created = await store.runs.create({ ...newRun(project.id, [{ key: 'build', name: 'Build', needs: [], runsOn: ['local'] }]), plan: { workflow: { name: 'ci' }, plan: { jobs: [] } } });
      const first = { ...(await store.runs.require(created.id)) };
      assert.ok(first.plan?.includes('"ci"'));
      await store.runs.update(created.id, { status: 'running', title: 'changed' });
      const second = { ...(await store.runs.require(created.id)) };
      assert.deepEqual(second, { ...first, status: 'running', title: 'changed' }, 'every column, the kept plan and the new values');
    });

    it('deployments are numbered per project; setState inserts then updates', async () => {
      const { store } = await open();
      const a = await store.projects.ensure('a');
      const b = await store.projects.ensure('b');
      const runA = await store.runs.create(newRun(a.id));
      const runB = await store.runs.create(newRun(b.id));
      const relA = await store.releases.create({ project_id: a.id, run_id: runA.id, sha: runA.sha, ref: runA.ref, image: 'a/a', digest: `sha256:${'1'.repeat(64)}` });
      const relB = await store.releases.create({ project_id: b.id, run_id: runB.id, sha: runB.sha, ref: runB.ref, image: 'b/b', digest: `sha256:${'2'.repeat(64)}` });
      assert.deepEqual((await store.releases.forRun(runA.id)).map((r) => r.id), [relA.id]);

      const input = (projectId: string, releaseId: string, environment: string) => ({ project_id: projectId, environment, release_id: releaseId, trigger: 'push', triggered_by: 'alice' });
      const d1 = await store.deployments.create(input(a.id, relA.id, 'staging'));
      const d2 = await store.deployments.create(input(a.id, relA.id, 'production'));
      const other = await store.deployments.create(input(b.id, relB.id, 'staging'));
      assert.deepEqual([d1.number, d2.number, other.number], [1, 2, 1]);
      assert.equal(d1.status, 'queued');
      assert.deepEqual((await store.deployments.list({ projectId: a.id, environment: 'staging' })).map((d) => d.id), [d1.id]);
      assert.equal((await store.deployments.unfinished()).length, 3);
      await store.deployments.update(d1.id, { status: 'success', finished_at: new Date().toISOString() });
      assert.equal((await store.deployments.require(d1.id)).status, 'success');
      await assert.rejects(store.deployments.require('dep_nope'), (e) => isSlipwayError(e, 'DEPLOYMENT_UNKNOWN'));

      assert.equal(await store.deployments.state(a.id, 'staging'), undefined);
      await store.deployments.setState({ project_id: a.id, environment: 'staging', release_id: relA.id, container: 'old', host_port: 40001, publish: 8080 });
      await store.deployments.setState({ project_id: a.id, environment: 'staging', release_id: relA.id, container: 'new', host_port: 40002, publish: null });
      const state = await store.deployments.state(a.id, 'staging');
      assert.equal(state?.container, 'new');
      assert.equal(state.host_port, 40002);
      assert.equal(state.publish, null);
      assert.equal((await store.deployments.allStates()).length, 1);
    });

    it('replicas (0024): a schedule minute is taken once; live servers; digest holds, uses and deletions', async () => {
      const { store } = await open();
      const minute = new Date('2030-01-01T03:00:00Z');
      const taken = await Promise.all(['a', 'b', 'c'].map((s) => store.scheduleFires.take('p', 'ci.yml', minute, s)));
      assert.deepEqual(taken.filter(Boolean).length, 1);
      assert.equal(await store.scheduleFires.take('p', 'other.yml', minute, 'b'), true);
      await store.scheduleFires.prune(new Date('2030-01-02T00:00:00Z'));
      assert.equal(await store.scheduleFires.take('p', 'ci.yml', minute, 'b'), true, 'a pruned minute is forgotten');

      await store.servers.beat({ id: 'srv_a', host: 'h', pid: 1, url: 'http://a', started_at: new Date().toISOString() });
      await store.servers.beat({ id: 'srv_b', host: 'h', pid: 2, url: 'http://b', started_at: new Date().toISOString() });
      assert.deepEqual((await store.servers.othersAlive('srv_a', 60_000)).map((s) => s.id), ['srv_b']);
      await store.servers.remove('srv_b');
      assert.deepEqual(await store.servers.othersAlive('srv_a', 60_000), []);

      const d = `sha256:${'1'.repeat(64)}`;
      const since = Date.now();
      assert.equal(await store.registryDigests.inUse(d, since), false);
      const ids = await store.registryDigests.hold([d], 60_000);
      assert.equal(await store.registryDigests.inUse(d, since), true, 'held');
      await store.registryDigests.release(ids, [d]);
      assert.equal(await store.registryDigests.inUse(d, since), true, 'used since the collection began');
      assert.equal(await store.registryDigests.inUse(d, Date.now() + 1000), false);
      assert.equal(await store.registryDigests.startDeletion(d), true);
      assert.equal(await store.registryDigests.startDeletion(d), false, 'one collector deletes a digest at a time');
      assert.deepEqual(await store.registryDigests.deleting([d, `sha256:${'2'.repeat(64)}`]), [d]);
      await store.registryDigests.endDeletion(d);
      assert.deepEqual(await store.registryDigests.deleting([d]), []);
    });
  });
}
