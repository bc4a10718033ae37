// Push events another server left pending (it died between recording and processing): a
// live server's periodic takeStale picks up those pending longer than processing takes,
// and never one just recorded (its own server is processing it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { EventBus } from '../core/events.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { zeroSha } from '../core/types.ts';
import type { GitHosting } from '../git/hosting.ts';
import { PushEvents } from './push-events.ts';

test('takeStale processes events pending for over a minute, not fresh ones, each once', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const events = new EventBus();
  const work: Promise<unknown>[] = [];
  // A deleted ref starts no run, so processing needs no repository: only the event's bookkeeping is under test.
  const pushes = new PushEvents({ store, events, scheduler: new Scheduler({ store, events, leaseMs: 30_000 }), git: {} as GitHosting, log: (m) => assert.fail(m), track: (p) => work.push(p) });
  const event = (ref: string) => ({ project: 'app', ref, before: 'a'.repeat(40), after: zeroSha, pusher: 'alice' });
  const [old] = await store.pushEvents.record([event('refs/heads/old')]);
  await db.updateTable('push_events').set({ received_at: new Date(Date.now() - 120_000).toISOString() }).where('id', '=', old!.id).execute();
  await store.pushEvents.record([event('refs/heads/fresh')]);

  assert.equal(await pushes.takeStale(), 1);
  assert.equal(await pushes.takeStale(), 0, 'one already queued here is not taken twice');
  await Promise.all(work);
  assert.deepEqual((await store.pushEvents.pending()).map((e) => e.ref), ['refs/heads/fresh']);
  assert.equal(await pushes.takeStale(), 0);
  await db.destroy();
});
