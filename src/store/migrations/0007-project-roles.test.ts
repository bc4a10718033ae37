// Upgrading to per-project roles: a project made before 0007 gets the user who pushed to it
// first as its maintainer (when both are known), and is private.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, type MigrationProvider } from 'kysely';
import { openDatabase } from '../database.ts';
import { createStore } from '../store.ts';
import { migrations } from './index.ts';

test('0007: the first pusher of an existing project becomes its maintainer; others start without members', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    const migrator = new Migrator({ db, provider });
    assert.equal((await migrator.migrateTo('0006-push-events')).error, undefined);
    const store = createStore(db);
    const bob = await store.users.create('bob', 'member');
    await store.users.create('carol', 'member');
    const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    for (const [name, at] of [['old', t(0)], ['ghost', t(0)], ['quiet', t(0)]] as const) {
      await db.insertInto('projects').values({ id: `prj_${name}`, name, created_at: at }).execute();
    }
    const event = (id: string, project: string, pusher: string, at: string) =>
      db.insertInto('push_events').values({ id, project, ref: 'refs/heads/main', before: '0'.repeat(40), after: '1'.repeat(40), pusher, received_at: at, processed_at: at }).execute();
    await event('e1', 'old', 'bob', t(1));
    await event('e2', 'old', 'carol', t(2));
    await event('e3', 'ghost', 'someone-deleted', t(1));
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.deepEqual((await store.members.list('prj_old')).map((m) => [m.userId, m.role]), [[bob.id, 'maintainer']]);
    assert.deepEqual(await store.members.list('prj_ghost'), []);
    assert.deepEqual(await store.members.list('prj_quiet'), []);
    assert.equal((await store.projects.require('old')).public, 0);
  } finally {
    await db.destroy();
  }
});
