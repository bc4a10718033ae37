// Commit order against a real store (SQLite file, migrations) and a real git repository:
// c1 ← c2 ← c3 on one line, and u, a commit unrelated to them (what a force-push leaves).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrate, type Db } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import type { Release } from '../store/repos/releases.ts';
import { isAncestorAt } from '../git/repo-read.ts';
import { gitOk } from '../git/test-support.ts';
import { supersedeIfCovered, type CommitOrderDeps } from './commit-order.ts';

let dir: string;
let db: Db;
let store: Store;
let deps: CommitOrderDeps;
let projectId: string;
const sha: Record<string, string> = {};
const release: Record<string, Release> = {};
const env = 'dev';

async function commit(repo: string, message: string): Promise<string> {
  await gitOk(repo, ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', message]);
  return gitOk(repo, ['rev-parse', 'HEAD']);
}

/** A release of `commit` built by a run of a push received at `pushedAt`. */
async function releaseOf(commit: string, pushedAt: string): Promise<Release> {
  const [event] = await store.pushEvents.record([{ project: 'shop', ref: 'refs/heads/main', before: '0'.repeat(40), after: commit, pusher: 'dave' }]);
  await db.updateTable('push_events').set({ received_at: pushedAt }).where('id', '=', event!.id).execute();
  const run = await store.runs.create({ projectId, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: commit, pushEventId: event!.id, jobs: [] });
  return store.releases.create({ project_id: projectId, run_id: run.id, sha: commit, ref: run.ref, image: 'shop/shop', digest: `sha256:${commit.slice(0, 8).padEnd(64, '0')}` });
}

const serve = (r: Release) => store.deployments.setState({ project_id: projectId, environment: env, release_id: r.id, container: 'c', host_port: 1, publish: null });
const newDeployment = (r: Release, trigger = 'push') => store.deployments.create({ project_id: projectId, environment: env, release_id: r.id, trigger, triggered_by: 'slipway' });

/** Runs the check on a new deployment of `r`; the deployment as stored after, and the lines logged. */
async function check(r: Release, trigger = 'push') {
  const d = await newDeployment(r, trigger);
  const lines: string[] = [];
  const superseded = await supersedeIfCovered(deps, 'shop', d, r, (l) => lines.push(l));
  return { superseded, after: await store.deployments.require(d.id), lines };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-commit-order-'));
  const repo = join(dir, 'repo');
  await gitOk(dir, ['init', '-q', '-b', 'main', repo]);
  sha.c1 = await commit(repo, 'c1');
  sha.c2 = await commit(repo, 'c2');
  sha.c3 = await commit(repo, 'c3');
  await gitOk(repo, ['checkout', '-q', '--orphan', 'rewritten']);
  sha.u = await commit(repo, 'u');
  db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
  await migrate(db);
  store = createStore(db);
  deps = { store, isAncestor: (_project, a, d) => isAncestorAt(join(repo, '.git'), a, d) };
  projectId = (await store.projects.ensure('shop')).id;
  // Pushed in this order: c1, c2, c3, then u (a force-push of an unrelated history).
  release.c1 = await releaseOf(sha.c1, '2026-01-01T00:00:01.000Z');
  release.c2 = await releaseOf(sha.c2, '2026-01-01T00:00:02.000Z');
  release.c3 = await releaseOf(sha.c3, '2026-01-01T00:00:03.000Z');
  release.u = await releaseOf(sha.u, '2026-01-01T00:00:04.000Z');
});

beforeEach(async () => {
  // Each test starts from an environment serving nothing, with nothing queued.
  await db.deleteFrom('environment_state').execute();
  await db.updateTable('deployments').set({ status: 'success' }).where('status', 'in', ['queued', 'running']).execute();
});

after(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

void test('git ancestry: a commit is its own ancestor; unrelated commits and absent ones are not', async () => {
  const a = (x: string, y: string) => deps.isAncestor('shop', x, y);
  assert.deepEqual(await Promise.all([a(sha.c1!, sha.c3!), a(sha.c3!, sha.c1!), a(sha.c2!, sha.c2!), a(sha.c1!, sha.u!), a('f'.repeat(40), sha.c3!)]), [true, false, true, false, false]);
});

void test('an automatic deployment of an ancestor of what serves is superseded, naming the newer release', async () => {
  await serve(release.c3!);
  const { superseded, after, lines } = await check(release.c1!);
  assert.equal(superseded, true);
  assert.equal(after.status, 'superseded');
  assert.equal(after.superseded_by, release.c3!.id);
  assert.ok(after.finished_at, 'a superseded deployment is finished');
  assert.match(after.error ?? '', new RegExp(`^superseded: commit ${sha.c3!.slice(0, 7)} \\(release ${release.c3!.id}, serving dev\\) is a descendant of ${sha.c1!.slice(0, 7)};`));
  assert.deepEqual(lines, [after.error]);
});

void test('the same commit serving supersedes it too; a descendant of what serves goes ahead', async () => {
  await serve(release.c2!);
  const same = await check(release.c2!);
  assert.equal(same.after.status, 'superseded');
  assert.match(same.after.error ?? '', /is the same commit/);
  const newer = await check(release.c3!);
  assert.deepEqual([newer.superseded, newer.after.status, newer.after.superseded_by], [false, 'queued', null]);
});

void test('queued deployments coalesce to the newest: each older one names the newest waiting', async () => {
  const waiting = [await newDeployment(release.c1!), await newDeployment(release.c2!), await newDeployment(release.c3!)];
  const outcomes: [string, string | null][] = [];
  for (const d of waiting) {
    await supersedeIfCovered(deps, 'shop', d, (await store.releases.get(d.release_id))!, () => {});
    const stored = await store.deployments.require(d.id);
    outcomes.push([stored.status, stored.superseded_by]);
  }
  assert.deepEqual(outcomes, [['superseded', release.c3!.id], ['superseded', release.c3!.id], ['queued', null]]);
  const first = await store.deployments.require(waiting[0]!.id);
  assert.match(first.error ?? '', new RegExp(`deployment #${waiting[2]!.number}, queued\\)`));
});

void test('a running deployment of a newer commit supersedes a queued older one', async () => {
  const running = await newDeployment(release.c3!);
  await store.deployments.update(running.id, { status: 'running' });
  const { after } = await check(release.c2!);
  assert.equal(after.status, 'superseded');
  assert.match(after.error ?? '', new RegExp(`deployment #${running.number}, running\\)`));
});

void test('unrelated commits (a force-push): the later push wins either way', async () => {
  await serve(release.u!);
  const older = await check(release.c3!);
  assert.equal(older.after.status, 'superseded');
  assert.match(older.after.error ?? '', /unrelated to .* \(a force-push\) and pushed after it/);
  await serve(release.c3!);
  const later = await check(release.u!);
  assert.deepEqual([later.superseded, later.after.status], [false, 'queued']);
});

void test('manual deploys, promotions and rollbacks of an older release are never superseded', async () => {
  await serve(release.c3!);
  for (const trigger of ['manual', 'promotion', 'rollback']) {
    const { superseded, after } = await check(release.c1!, trigger);
    assert.deepEqual([trigger, superseded, after.status], [trigger, false, 'queued']);
  }
});

void test('only a queued deployment is superseded: one that started meanwhile is left alone', async () => {
  await serve(release.c3!);
  const d = await newDeployment(release.c1!);
  await store.deployments.update(d.id, { status: 'running' });
  assert.equal(await supersedeIfCovered(deps, 'shop', d, release.c1!, () => {}), false);
  assert.equal((await store.deployments.require(d.id)).status, 'running');
});
