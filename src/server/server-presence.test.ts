import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { serverPresence } from './server-presence.ts';

test('peers: live servers here and elsewhere count; a server of this host whose process is gone does not', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const started_at = new Date().toISOString();
  const gone = spawnSync('true').pid; // a pid that has exited
  await store.servers.beat({ id: 'srv_dead', host: hostname(), pid: gone, url: 'http://dead', started_at });
  await store.servers.beat({ id: 'srv_here', host: hostname(), pid: process.pid, url: 'http://here', started_at });
  await store.servers.beat({ id: 'srv_far', host: 'elsewhere.example', pid: gone, url: 'http://far', started_at });
  const presence = serverPresence(store, (m) => assert.fail(m), true);
  const peers = await presence.start();
  assert.deepEqual(peers.map((p) => p.id).sort(), ['srv_far', 'srv_here']);
  assert.deepEqual((await store.servers.othersAlive('nobody', 60_000)).map((p) => p.id).sort(), [presence.id, 'srv_far', 'srv_here'].sort());
  await presence.stop();
  assert.equal((await store.servers.othersAlive('nobody', 60_000)).some((p) => p.id === presence.id), false, 'a clean stop removes its row');
  assert.deepEqual(await serverPresence(store, (m) => assert.fail(m), false).start(), [], 'on SQLite a server is alone');
  await db.destroy();
});
