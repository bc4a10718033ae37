// What a server keeps of runners: a change forgets only that runner's credentials and state;
// this server's changes go out on the bus as 'runner-changed', and one heard from another
// server is forgotten here without being sent on again (no echo between servers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../core/events.ts';
import { RunnerCache, relayRunnerChanges } from './runner-cache.ts';

const credential = (id: string, name: string) => ({ id, name, hash: `h-${id}`, created_at: '2026-01-01T00:00:00.000Z', revoked_at: null });

async function filled(): Promise<RunnerCache> {
  const cache = new RunnerCache();
  for (const [id, name] of [['c1', 'r1'], ['c2', 'r2']] as const) {
    await cache.credentials.get(`h-${id}`, async () => credential(id, name));
    await cache.states.get(name, async () => 'active');
  }
  return cache;
}

test('forget drops the credentials and the state of that runner only', async () => {
  const cache = await filled();
  cache.forget('r1');
  assert.deepEqual([cache.credentials.size, cache.states.size], [1, 1]);
  assert.equal((await cache.credentials.get('h-c2', async () => undefined))?.name, 'r2', 'r2 still kept');
});

test("this server's changes are sent as 'runner-changed'; one heard from another server is forgotten and not sent again", async () => {
  const cache = await filled();
  const events = new EventBus();
  relayRunnerChanges(cache, events);
  const onBus: string[] = [];
  events.on('runner-changed', (name) => onBus.push(name));

  cache.changed('r1');
  assert.deepEqual(onBus, ['r1']);
  assert.equal(cache.states.size, 1);

  events.emitRelayed('runner-changed', 'r2');
  assert.deepEqual([cache.credentials.size, cache.states.size], [0, 0], 'forgotten on hearing');
  assert.deepEqual(onBus, ['r1', 'r2'], 'heard once, not emitted again');
});
