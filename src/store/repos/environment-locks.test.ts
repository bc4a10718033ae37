// The lock row under two connections to one SQLite file, as two processes would hold it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrate, type Db } from '../database.ts';
import { createStore, type Store } from '../store.ts';

let dir: string;
let dbs: Db[];
let a: Store;
let b: Store;
let projectId: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-locks-'));
  const file = join(dir, 'slipway.db');
  dbs = [openDatabase({ sqlitePath: file })];
  await migrate(dbs[0]!);
  dbs.push(openDatabase({ sqlitePath: file }));
  [a, b] = dbs.map((db) => createStore(db)) as [Store, Store];
  projectId = (await a.projects.ensure('locks')).id;
});

after(async () => {
  for (const db of dbs) await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const req = (holder: string, deploymentId: string, leaseMs = 60_000) => ({ projectId, environment: 'dev', holder, deploymentId, leaseMs });

test('one holder at a time; the other gets it once released', async () => {
  assert.equal(await a.environmentLocks.acquire(req('A', 'dep_1')), true);
  assert.equal(await b.environmentLocks.acquire(req('B', 'dep_2')), false);
  assert.equal((await b.environmentLocks.get(projectId, 'dev'))?.holder, 'A');
  assert.equal(await a.environmentLocks.renew(projectId, 'dev', 'A', 60_000), true);
  await b.environmentLocks.release(projectId, 'dev', 'B'); // not B's: no effect
  assert.equal((await a.environmentLocks.get(projectId, 'dev'))?.holder, 'A');
  await a.environmentLocks.release(projectId, 'dev', 'A');
  assert.equal(await b.environmentLocks.acquire(req('B', 'dep_2')), true);
  await b.environmentLocks.release(projectId, 'dev', 'B');
});

test('an expired lease is taken over by exactly one of several contenders; the old holder cannot renew', async () => {
  assert.equal(await a.environmentLocks.acquire(req('crashed', 'dep_0', 1)), true);
  await new Promise((r) => setTimeout(r, 10));
  const results = await Promise.all([
    ...['B1', 'B2', 'B3'].map((h) => b.environmentLocks.acquire(req(h, `dep_${h}`))),
    ...['A1', 'A2', 'A3'].map((h) => a.environmentLocks.acquire(req(h, `dep_${h}`))),
  ]);
  assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
  const holder = (await a.environmentLocks.get(projectId, 'dev'))!.holder;
  assert.notEqual(holder, 'crashed');
  assert.equal(await a.environmentLocks.renew(projectId, 'dev', 'crashed', 60_000), false);
  await a.environmentLocks.release(projectId, 'dev', holder);
});
