// Reactions to deployments, and how a run's events are coalesced (runs are covered end to
// end in test/e2e/forge-webhooks.test.ts and forge-status-run.test.ts):
// a real store, event bus and outbox, and the local forge stand-in (test/support) in place of
// GitHub, which cannot be reached here; it implements the documented status endpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { EventBus } from '../core/events.ts';
import { ForgeLinks } from '../triggers/forge/forge-links.ts';
import { NotificationHooks } from './notification-hooks.ts';
import { Outbox } from './outbox.ts';
import { Reactions } from './reactions.ts';
import { startForgeStandIn, type ForgeStandIn } from '../../test/support/forge-stand-in.ts';

let store: Store;
let forge: ForgeStandIn;
const events = new EventBus();
const pending = new Set<Promise<unknown>>();
const track = (p: Promise<unknown>) => void pending.add(p);
const settle = async () => {
  while (pending.size > 0) {
    const all = [...pending];
    pending.clear();
    await Promise.allSettled(all);
  }
};
const logs: string[] = [];

before(async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  store = createStore(db);
  forge = await startForgeStandIn('/nonexistent');
});
after(async () => forge.close());

test('a deployment reports pending, running and its outcome on its environment context, and notifies once it finished', async () => {
  const key = randomBytes(32);
  const links = new ForgeLinks(store, key);
  const hooks = new NotificationHooks(store, key);
  const outbox = new Outbox({ store, log: (m) => logs.push(m), track, backoffMs: 10 });
  const stop = new Reactions({ store, events, links, hooks, outbox, baseUrl: 'http://slipway.test', log: (m) => logs.push(m), track }).start();
  const project = await store.projects.ensure('web');
  await links.set('web', { kind: 'github', url: `${forge.url}/o/web.git`, secret: 's'.repeat(16), token: 'tok' }, 'admin');
  await hooks.add('web', { kind: 'json', url: `${forge.url}/hooks/deploys`, secret: 'h'.repeat(16) }, 'admin');
  const sha = 'c'.repeat(40);
  const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, eventPayload: {}, jobs: [] });
  const release = await store.releases.create({ project_id: project.id, run_id: run.id, sha, ref: 'refs/heads/main', image: 'web/app', digest: `sha256:${'d'.repeat(64)}` });
  const d = await store.deployments.create({ project_id: project.id, environment: 'staging', release_id: release.id, trigger: 'auto', triggered_by: 'alice' });
  forge.failNext(1);
  for (const status of ['queued', 'running', 'running', 'success'] as const) {
    await store.deployments.update(d.id, { status });
    events.emit('deployment-updated', d.id);
    await settle();
  }
  stop();
  const statuses = forge.received.filter((r) => r.path === `/api/v3/repos/o/web/statuses/${sha}`).map((r) => JSON.parse(r.body) as { state: string; context: string; description: string });
  // The first call failed (500) and was retried; a state repeated is reported once.
  assert.deepEqual(statuses.map((s) => s.state), ['pending', 'pending', 'pending', 'success']);
  assert.deepEqual(new Set(statuses.map((s) => s.context)), new Set(['slipway/deploy/staging']));
  assert.equal(statuses.at(-1)!.description, 'deployment web#1 to staging success');
  const note = forge.received.filter((r) => r.path === '/hooks/deploys');
  assert.equal(note.length, 1, 'notified once, when it finished');
  assert.equal(note[0]!.headers['x-slipway-signature-256'], `sha256=${createHmac('sha256', 'h'.repeat(16)).update(note[0]!.body).digest('hex')}`);
  assert.deepEqual(JSON.parse(note[0]!.body), {
    event: 'deployment',
    project: 'web',
    status: 'success',
    sha,
    url: 'http://slipway.test/p/web/deployments/1',
    deployment: { id: d.id, number: 1, environment: 'staging', image: `web/app@sha256:${'d'.repeat(64)}`, trigger: 'auto', triggeredBy: 'alice' },
  });
  const log = await store.notifications.deliveries(project.id);
  assert.deepEqual(log.map((l) => [l.target === 'status' ? 'status' : 'hook', l.state, l.status, l.attempts]).reverse(), [
    ['status', 'pending', 'delivered', 2],
    ['status', 'pending', 'delivered', 1],
    ['status', 'success', 'delivered', 1],
    ['hook', 'success', 'delivered', 1],
  ]);
  assert.deepEqual(logs, []);
});

test('a receiver that keeps failing is given up after the attempts, and the log says why', async () => {
  const outbox = new Outbox({ store, log: (m) => logs.push(m), track, attempts: 3, backoffMs: 5 });
  const project = await store.projects.ensure('gone');
  await outbox.send({ projectId: project.id, target: 'status', url: `${forge.url}/nowhere`, shownUrl: 'shown', subject: 'run x', state: 'pending', headers: {}, body: '{}' });
  const [row] = await store.notifications.deliveries(project.id);
  // 404 is not retried: the receiver said the address is wrong.
  assert.deepEqual([row!.status, row!.attempts, row!.response_code, row!.error], ['failed', 1, 404, 'HTTP 404: {"message":"Not Found"}']);
  forge.failNext(5);
  await outbox.send({ projectId: project.id, target: 'status', url: `${forge.url}/api/v3/repos/o/r/statuses/${'e'.repeat(40)}`, shownUrl: 'shown', subject: 'run y', state: 'pending', headers: {}, body: '{}' });
  const [retried] = await store.notifications.deliveries(project.id);
  assert.deepEqual([retried!.subject, retried!.status, retried!.attempts, retried!.response_code], ['run y', 'failed', 3, 500]);
  assert.match(logs.join('\n'), /outgoing run y to shown: gave up after 3 attempt\(s\): HTTP 500/);
  forge.failNext(0);
});

test("a run's events are coalesced: one read for a burst, none of the project while the state is the one reported, its outcome once", async () => {
  const key = randomBytes(32);
  const links = new ForgeLinks(store, key);
  const hooks = new NotificationHooks(store, key);
  const outbox = new Outbox({ store, log: (m) => logs.push(m), track, backoffMs: 10 });
  const project = await store.projects.ensure('api');
  await links.set('api', { kind: 'github', url: `${forge.url}/o/api.git`, secret: 's'.repeat(16), token: 'tok' }, 'admin');
  await hooks.add('api', { kind: 'json', url: `${forge.url}/hooks/runs`, secret: 'h'.repeat(16) }, 'admin');
  const sha = 'f'.repeat(40);
  const logged = logs.length;
  const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, eventPayload: {}, jobs: [] });
  // Counting reads of the real store (the methods still read it).
  const reads = { runs: 0, projects: 0 };
  const { runs, projects } = store;
  const runsGet = runs.get.bind(runs);
  const projectsById = projects.byId.bind(projects);
  runs.get = (id) => (reads.runs++, runsGet(id));
  projects.byId = (id) => (reads.projects++, projectsById(id));
  const stop = new Reactions({ store, events, links, hooks, outbox, baseUrl: 'http://slipway.test', log: (m) => logs.push(m), track }).start();
  try {
    const updated = async (times: number, fields?: Parameters<typeof runs.update>[1]) => {
      if (fields) await runs.update(run.id, fields);
      for (let i = 0; i < times; i++) events.emit('run-updated', run.id);
      await settle();
    };
    await updated(5);
    assert.deepEqual(reads, { runs: 1, projects: 1 }, 'a burst of five events: one report, reading the newest state');
    await updated(1, { status: 'running' });
    await updated(1);
    await updated(1);
    assert.deepEqual(reads, { runs: 4, projects: 2 }, 'the same state again reads the run only');
    await updated(1, { status: 'success', finished_at: new Date().toISOString() });
    // After its outcome: a late event (a job that ended after the run was cancelled) reports nothing again.
    await updated(1);
    assert.deepEqual(reads, { runs: 6, projects: 3 });
    // A re-run's states are its own, even the same outcome.
    await updated(1, { status: 'queued', attempt: 2 });
    await updated(1, { status: 'success' });
    assert.deepEqual(reads, { runs: 8, projects: 5 });
  } finally {
    stop();
    runs.get = runsGet;
    projects.byId = projectsById;
  }
  const statuses = forge.received.filter((r) => r.path === `/api/v3/repos/o/api/statuses/${sha}`).map((r) => (JSON.parse(r.body) as { state: string }).state);
  // GitHub has no running state: Slipway's `running` is its `pending` too.
  assert.deepEqual(statuses, ['pending', 'pending', 'success', 'pending', 'success']);
  const notes = forge.received.filter((r) => r.path === '/hooks/runs').map((r) => (JSON.parse(r.body) as { status: string; run: { attempt: number } }));
  assert.deepEqual(notes.map((n) => [n.status, n.run.attempt]), [['success', 1], ['success', 2]]);
  assert.deepEqual(logs.slice(logged), []);
});

test('at stop, a report still gathering events goes at once: a shutdown does not wait for it', async () => {
  const key = randomBytes(32);
  const links = new ForgeLinks(store, key);
  const project = await store.projects.ensure('quick');
  await links.set('quick', { kind: 'github', url: `${forge.url}/o/quick.git`, secret: 's'.repeat(16), token: 'tok' }, 'admin');
  const sha = 'e'.repeat(40);
  const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, eventPayload: {}, jobs: [] });
  const outbox = new Outbox({ store, log: (m) => logs.push(m), track, backoffMs: 10 });
  const stop = new Reactions({ store, events, links, hooks: new NotificationHooks(store, key), outbox, baseUrl: 'http://slipway.test', log: (m) => logs.push(m), track, gatherMs: 600_000 }).start();
  events.emit('run-updated', run.id);
  const t = Date.now();
  stop();
  await settle();
  assert.ok(Date.now() - t < 5_000, `took ${Date.now() - t} ms`);
  const statuses = forge.received.filter((r) => r.path === `/api/v3/repos/o/quick/statuses/${sha}`).map((r) => (JSON.parse(r.body) as { state: string }).state);
  assert.deepEqual(statuses, ['pending']);
});
