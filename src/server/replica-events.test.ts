// Two servers on one PostgreSQL, as the composition root wires them (store, scheduler, event
// bus and bridge each): a runner long-polling server B wakes for a job queued on server A.
import assert from 'node:assert/strict';
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
  const scheduler = new Scheduler({ store, events, leaseMs: 60_000 });
  return { store, events, scheduler };
}

it("a runner long-polling server B wakes for a job pushed to server A, within 100's of ms", async () => {
  const a = await server();
  const b = await server();
  const api = inProcessRunnerApi({ runnerName: 'remote-1', scheduler: b.scheduler, store: b.store, events: b.events, sourceOf: (p) => `http://b/git/${p}.git`, registry: { host: 'b:1', insecure: true } });
  assert.equal(await api.claim(['local']), undefined);
  const waiting = api.waitForWork(20_000, new AbortController().signal).then(() => Date.now());

  const file = '.slipway/workflows/ci.yml';
  const { workflow } = parseWorkflow(file, 'name: ci\non: push\njobs:\n  build:\n    runs-on: local\n    steps:\n      - run: echo hi\n');
  const queuedAt = Date.now();
  const git = { readFile: async () => undefined };
  const created = await startRun({ git, store: a.store, events: a.events, scheduler: a.scheduler, log: () => {} }, { project: 'demo', ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: {} }, file, workflow!);
  assert.equal(created.error, null);

  const wokeAt = await waiting;
  console.log(`# woke ${wokeAt - queuedAt} ms after the run was queued on the other server`);
  assert.ok(wokeAt - queuedAt < 2000, `woke ${wokeAt - queuedAt} ms after the run was queued`);
  const claimed = await api.claim(['local']);
  assert.equal(claimed?.runId, created.id);
});
