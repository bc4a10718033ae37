// Who a run acts for, and which projects' actions it may use (docs/security.md "Remote
// actions"), against a real store: own project, public project, a project the pusher or
// dispatcher reads, one they do not, a scheduled run, and a push a forge delivered (whose
// pusher is a forge name that happens to be an admin's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, migrate } from '../../store/database.ts';
import { createStore } from '../../store/store.ts';
import { Access } from '../../auth/access.ts';
import { runActionAccess, runActor } from './action-access.ts';

async function fixture() {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const access = new Access(store, { projectsCreate: 'everyone' });
  const alice = await store.users.create('alice', 'member');
  await store.users.create('root', 'admin');
  const [app, lib, , open] = await Promise.all(['app', 'lib', 'secret', 'open'].map((p) => store.projects.ensure(p)));
  await store.members.set(app!.id, alice.id, 'developer', 'app');
  await store.members.set(lib!.id, alice.id, 'viewer', 'lib');
  await store.projects.setPublic(open!.id, true);
  return { store, access, done: () => db.destroy() };
}

const event = (pusher: string) => ({ project: 'app', ref: 'refs/heads/main', before: '0'.repeat(40), after: '1'.repeat(40), pusher });

test("a run reads its own project, public ones and what its pusher reads; never the rest", async () => {
  const f = await fixture();
  try {
    const [pushed] = await f.store.pushEvents.record([event('alice')]);
    const actor = await runActor(f.store, { pushEventId: pushed!.id, event: 'push', payload: { pusher: { name: 'alice' } } });
    assert.equal(actor, 'alice');
    const a = runActionAccess(f.store, f.access, 'app', actor);
    assert.deepEqual(await Promise.all(['app', 'lib', 'open', 'secret', 'nope'].map((p) => a.mayRead(p))), [true, true, true, false, false]);
    assert.equal(a.who, "the run's pusher alice");
    // A dispatch acts for its sender; a schedule for nobody (own and public projects only).
    assert.equal(await runActor(f.store, { event: 'workflow_dispatch', payload: { sender: { login: 'alice' } } }), 'alice');
    const scheduled = runActionAccess(f.store, f.access, 'app', await runActor(f.store, { event: 'schedule', payload: {} }));
    assert.deepEqual(await Promise.all(['app', 'lib', 'open'].map((p) => scheduled.mayRead(p))), [true, false, true]);
  } finally {
    await f.done();
  }
});

test("a push a forge delivered acts for nobody here, even when the forge's pusher name is an admin's", async () => {
  const f = await fixture();
  try {
    const project = await f.store.projects.require('app');
    const [pushed] = await f.store.pushEvents.record([event('root')], { projectId: project.id, id: 'delivery-1', event: 'push' });
    assert.equal(await runActor(f.store, { pushEventId: pushed!.id, event: 'push', payload: { pusher: { name: 'root' } } }), undefined);
    const a = runActionAccess(f.store, f.access, 'app', undefined);
    assert.equal(await a.mayRead('secret'), false);
  } finally {
    await f.done();
  }
});
