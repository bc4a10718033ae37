// Two servers' DigestUse over one shared ledger in a real PostgreSQL: a collector on one never
// deletes what a request on the other holds or just used, and a request that holds a digest
// another server is deleting waits for the deletion and then sees it gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DigestUse } from './digest-use.ts';
import { openDatabase, migrate, type Db } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { startPostgres, type TestPostgres } from '../store/test-postgres.ts';

const d = 'sha256:' + 'b'.repeat(64);
let cluster: TestPostgres;
let db: Db;
let serverA: DigestUse;
let serverB: DigestUse;

before(async () => {
  cluster = await startPostgres();
  db = openDatabase({ url: await cluster.database() });
  await migrate(db);
  const ledger = createStore(db).registryDigests;
  const log = (m: string) => assert.fail(m);
  serverA = new DigestUse(Date.now, undefined, { ledger, log });
  serverB = new DigestUse(Date.now, undefined, { ledger, log });
});
after(async () => {
  await db.destroy();
  await cluster.stop();
});

test("a collector on server A spares a digest server B holds, and one B used since the collection began", async () => {
  const since = serverA.begin();
  const release = await serverB.hold([d]);
  assert.equal(await serverA.sweep(d, since, 0, async () => 'deleted'), undefined, 'held on B');
  release();
  // The release reaches the ledger asynchronously (the request's answer does not wait for it).
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await serverA.sweep(d, since, 0, async () => 'deleted'), undefined, 'used on B after the collection began');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(await serverA.sweep(d, serverA.begin(), 0, async () => 'deleted'), 'deleted', 'nothing holds it now');
});

test('a hold on server B waits for the deletion server A has under way', async () => {
  let finish!: () => void;
  const steps: string[] = [];
  const sweeping = serverA.sweep(d, serverA.begin(), 0, () => new Promise<string>((resolve) => (finish = () => (steps.push('deleted'), resolve('deleted')))));
  // Wait until A's deletion is marked and its remove() has started.
  while (finish === undefined) await new Promise((r) => setTimeout(r, 10));
  const holding = serverB.hold([d]).then((release) => (steps.push('held'), release));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(steps, [], 'the hold waits for the deletion on the other server');
  finish();
  assert.equal(await sweeping, 'deleted');
  const release = await holding;
  assert.deepEqual(steps, ['deleted', 'held']);
  assert.equal(await serverA.sweep(d, serverA.begin(), 0, async () => 'again'), undefined, 'held on B again');
  release();
});
