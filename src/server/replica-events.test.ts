// Two servers on one PostgreSQL, as the composition root wires them (store, scheduler, event
// bus and bridge each, runner changes relayed): a runner long-polling server B wakes for a
// job queued on server A; what one server changes of a runner (its credential revoked, a
// pause), which each server keeps a few seconds (store/repos/runner-cache.ts), holds there
// at once and on the other once the relayed 'runner-changed' arrives.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, it } from 'node:test';
import { openDatabase, migrate, type Db } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { startPostgres, type TestPostgres } from '../store/test-postgres.ts';
import { bridgeEvents, type EventBridge } from '../store/postgres/event-bridge.ts';
import { EventBus } from '../core/events.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { startRun } from '../scheduler/start-run.ts';
import { parseWorkflow } from '../workflow/parse/parse-workflow.ts';
import { inProcessRunnerApi } from '../runner/protocol/in-process.ts';
import { relayRunnerChanges } from '../store/repos/runner-cache.ts';
import { resolveToken } from '../auth/tokens.ts';

let cluster: TestPostgres;
let url: string;
const dbs: Db[] = [];
const bridges: EventBridge[] = [];

before(async () => {
  cluster = await startPostgres();
  url = await cluster.database();
  const db = openDatabase({ url });
  await migrate(db);
  await db.destroy();
});
after(async () => {
  await Promise.all(bridges.map((b) => b.close()));
  await Promise.all(dbs.map((d) => d.destroy()));
  await cluster.stop();
});

async function server() {
  const db = openDatabase({ url });
  dbs.push(db);
  const store = createStore(db);
  const events = new EventBus();
  bridges.push(await bridgeEvents({ url, events, log: () => {}, readLog: async () => undefined }));
  relayRunnerChanges(store.runnerCache, events);
  const scheduler = new Scheduler({ store, events, leaseMs: 60_000 });
  return { store, events, scheduler };
}
type Server = Awaited<ReturnType<typeof server>>;

/** A server's in-process RunnerApi for runner `name` (what its runner-protocol routes call). */
const runnerOn = (s: Server, name: string) => inProcessRunnerApi({ runnerName: name, scheduler: s.scheduler, store: s.store, events: s.events, sourceOf: (p) => `http://x/git/${p}.git`, registry: { host: 'x:1', insecure: true } });

/** Queues a run of one `runs-on: local` job through server `s`, as a push would. */
async function queueRun(s: Server) {
  const file = '.slipway/workflows/ci.yml';
  const { workflow } = parseWorkflow(file, 'name: ci\non: push\njobs:\n  build:\n    runs-on: local\n    steps:\n      - run: echo hi\n');
  const git = { readFile: async () => undefined };
  const created = await startRun({ git, store: s.store, events: s.events, scheduler: s.scheduler, log: () => {} }, { project: 'demo', ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {} }, file, workflow!);
  assert.equal(created.error, null);
  return created;
}

it("a runner long-polling server B wakes for a job pushed to server A, within 100's of ms", async () => {
  const a = await server();
  const b = await server();
  const api = runnerOn(b, 'remote-1');
  assert.equal(await api.claim(['local']), undefined);
  const waiting = api.waitForWork(20_000, new AbortController().signal).then(() => Date.now());

  const queuedAt = Date.now();
  const created = await queueRun(a);

  const wokeAt = await waiting;
  console.log(`# woke ${wokeAt - queuedAt} ms after the run was queued on the other server`);
  assert.ok(wokeAt - queuedAt < 2000, `woke ${wokeAt - queuedAt} ms after the run was queued`);
  const claimed = await api.claim(['local']);
  assert.equal(claimed?.runId, created.id);
});

const refusal = async (store: Server['store'], token: string) => {
  const r = await resolveToken(store, token);
  return r.ok ? `accepted as ${r.principal.kind}` : r.reason;
};

it('a revoked runner credential is refused at once on the server that revoked it, and on the other once the relay arrives', async () => {
  const a = await server();
  const b = await server();
  assert.equal(await refusal(b.store, 'slpr_unknown'), 'unknown token');
  const registered = once(b.events, 'runner-changed');
  const { token } = await a.store.runnerCredentials.create('r-1');
  // Made through A, it works on B at once, before B hears of it: an unknown token is never kept.
  assert.equal(await refusal(b.store, token), 'accepted as runner');
  await registered;
  assert.equal(await refusal(b.store, token), 'accepted as runner');
  assert.equal(await refusal(a.store, token), 'accepted as runner');
  assert.equal(b.store.runnerCache.credentials.size, 1, 'B keeps the live credential');

  const heard = once(b.events, 'runner-changed');
  await a.store.runnerCredentials.revokeName('r-1');
  assert.match(await refusal(a.store, token), /^the runner credential of runner r-1 was revoked at /, 'refused at once where it was revoked');
  assert.deepEqual(await heard, ['r-1']);
  assert.equal(b.store.runnerCache.credentials.size, 0, 'B forgot it on hearing');
  assert.match(await refusal(b.store, token), /^the runner credential of runner r-1 was revoked at /);
});

it("registering a name again refuses the name's older credential at once, here and, after the relay, there", async () => {
  const a = await server();
  const b = await server();
  const registered = once(b.events, 'runner-changed');
  const first = await a.store.runnerCredentials.create('r-2');
  await registered;
  assert.equal(await refusal(a.store, first.token), 'accepted as runner');
  assert.equal(await refusal(b.store, first.token), 'accepted as runner');
  const heard = once(b.events, 'runner-changed');
  const second = await a.store.runnerCredentials.create('r-2');
  assert.match(await refusal(a.store, first.token), /was revoked/);
  await heard;
  assert.match(await refusal(b.store, first.token), /was revoked/);
  assert.equal(await refusal(b.store, second.token), 'accepted as runner');
});

it('a paused runner gets nothing on its next claim, on the server that paused it and on the other once the relay arrives; resumed, it claims again', async () => {
  const a = await server();
  const b = await server();
  const created = await queueRun(a);
  const api = (s: Server) => runnerOn(s, 'r-3');
  await a.store.runners.seen('r-3', ['local']);
  // Both servers have read (and keep) its state.
  assert.equal(await a.store.runners.state('r-3'), 'active');
  assert.equal(await b.store.runners.state('r-3'), 'active');

  const paused = once(b.events, 'runner-changed');
  assert.equal(await a.store.runners.setState('r-3', 'paused'), true);
  assert.equal(await api(a).claim(['local']), undefined, 'nothing on the server that paused it, at once');
  await paused;
  assert.equal(await api(b).claim(['local']), undefined, 'nothing on the other server once it heard');

  const resumed = once(b.events, 'runner-changed');
  await a.store.runners.setState('r-3', 'active');
  await resumed;
  assert.equal((await api(b).claim(['local']))?.runId, created.id);
});
