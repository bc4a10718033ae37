// exclusively() across two connections pools (two servers) on a real PostgreSQL: never overlapping.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDatabase, type Db } from './database.ts';
import { startPostgres, type TestPostgres } from './test-postgres.ts';
import { exclusively } from './cluster-lock.ts';

let cluster: TestPostgres;
const dbs: Db[] = [];
before(async () => {
  cluster = await startPostgres();
  const url = await cluster.database();
  dbs.push(openDatabase({ url }), openDatabase({ url }));
});
after(async () => {
  for (const db of dbs) await db.destroy();
  await cluster.stop();
});

test('work under one name runs on one server at a time; other names do not wait', async () => {
  const trace: string[] = [];
  const work = (who: string, ms: number) => async () => {
    trace.push(`${who} start`);
    await new Promise((r) => setTimeout(r, ms));
    trace.push(`${who} end`);
    return who;
  };
  const a = exclusively(dbs[0]!, 'gc', work('a', 300));
  await new Promise((r) => setTimeout(r, 100));
  const b = exclusively(dbs[1]!, 'gc', work('b', 10));
  const other = exclusively(dbs[1]!, 'other', work('c', 10));
  assert.deepEqual(await Promise.all([a, b, other]), ['a', 'b', 'c']);
  assert.deepEqual(trace, ['a start', 'c start', 'c end', 'a end', 'b start', 'b end']);
});

test('the lock goes with its holder: a failing work unlocks', async () => {
  await assert.rejects(exclusively(dbs[0]!, 'gc', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await exclusively(dbs[1]!, 'gc', async () => 'next'), 'next');
});
