// The approval gate against a real store (SQLite file, migrations): who may decide, when a
// deployment leaves the gate (approvals + wait timer on an injected clock), rejection, and
// resuming after a restart (a new gate over the same store).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrate, type Db } from '../../store/database.ts';
import { createStore, type Store } from '../../store/store.ts';
import type { Release } from '../../store/repos/releases.ts';
import type { User } from '../../store/repos/users.ts';
import type { Deployment } from '../../store/repos/deployments.ts';
import { EventBus } from '../../core/events.ts';
import type { Clock } from '../../core/clock.ts';
import { fakeClock } from '../../core/test-support.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { ApprovalGate, gateRule, type GateRule } from './approval-gate.ts';
import type { CommitPeople } from './approver-rules.ts';
import { checkBranchAllowed } from '../config/branch-policy.ts';

let dir: string;
let db: Db;
let store: Store;
let projectId: string;
let release: Release;
const users: Record<string, User> = {};

/** Maintainers of shop (the injected approver role): everyone but mallory. */
function gate(clock?: Clock, commitPeople: CommitPeople = async () => ({ author: { name: 'Erin Example', email: 'erin@example.com' }, committer: { name: 'Grace', email: 'grace@example.com' } })): ApprovalGate {
  return new ApprovalGate({
    store,
    events: new EventBus(),
    clock,
    log: () => {},
    approvers: { commitPeople, isPerson: (u) => u.id !== users['builtin-runner']!.id, isApprover: async (u, project) => project === 'shop' && u.name !== 'mallory' },
  });
}

async function newDeployment(options: { by?: string; release?: Release } = {}): Promise<Deployment> {
  return store.deployments.create({ project_id: projectId, environment: 'production', release_id: (options.release ?? release).id, trigger: 'manual', triggered_by: options.by ?? 'frank' });
}

/** Holds a new deployment at `g`; `opened` counts the calls of its open callback. */
async function held(g: ApprovalGate, rule: GateRule, options: { by?: string; release?: Release } = {}) {
  const d = await newDeployment(options);
  const state = { opened: 0 };
  await g.hold(d, 'shop', options.release ?? release, rule, () => state.opened++);
  return { d, state, status: async () => (await store.deployments.require(d.id)).status };
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => isSlipwayError(err) && err.code === code && message.test(err.message));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-gate-'));
  db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
  await migrate(db);
  store = createStore(db);
  projectId = (await store.projects.ensure('shop')).id;
  const people = [['alice', 'admin'], ['bob', 'member'], ['carol', 'member'], ['dave', 'member'], ['erin@example.com', 'member'], ['grace', 'member'], ['mallory', 'member'], ['builtin-runner', 'member']] as const;
  for (const [name, role] of people) {
    users[name] = await store.users.create(name, role);
  }
  const sha = 'a'.repeat(40);
  const run = await store.runs.create({ projectId, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, eventPayload: { pusher: { name: 'dave' } }, jobs: [] });
  release = await store.releases.create({ project_id: projectId, run_id: run.id, sha, ref: run.ref, image: 'shop/shop', digest: `sha256:${'b'.repeat(64)}` });
});

after(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

void test('gateRule: approvals and/or a wait make a gate; nothing else does', () => {
  const env = { name: 'p', hosts: ['local'], strategy: 'blue-green' as const };
  assert.equal(gateRule(env), undefined);
  assert.deepEqual(gateRule({ ...env, approval: { required: 2, notAuthor: true } }), { required: 2, notAuthor: true, waitMs: 0 });
  assert.deepEqual(gateRule({ ...env, approval: { required: 0, notAuthor: false, waitMs: 60_000 } }), { required: 0, notAuthor: false, waitMs: 60_000 });
});

void test('waits until N different users approved, then opens exactly once; a second decision by the same user is a conflict', async () => {
  const g = gate();
  const { d, state, status } = await held(g, { required: 2, notAuthor: false, waitMs: 0 });
  assert.equal(await status(), 'waiting_for_approval');
  await g.decide(d.id, users.bob!, 'approve');
  await rejects(g.decide(d.id, users.bob!, 'approve'), 'CONFLICT', /bob already approved deployment #\d+; each user decides once/);
  assert.deepEqual([await status(), state.opened], ['waiting_for_approval', 0]);
  assert.deepEqual((await g.view(await store.deployments.require(d.id))).approval, { required: 2, approved: 1, waitUntil: null });
  await g.decide(d.id, users.carol!, 'approve');
  assert.deepEqual([await status(), state.opened], ['queued', 1]);
  await rejects(g.decide(d.id, users.alice!, 'approve'), 'CONFLICT', /is queued, not waiting for approval/);
  const view = await g.view(await store.deployments.require(d.id));
  assert.deepEqual(view.approvals.map((a) => [a.user, a.decision]), [['bob', 'approve'], ['carol', 'approve']]);
});

void test('approvals arriving at once open the gate once', async () => {
  const g = gate();
  const { d, state, status } = await held(g, { required: 2, notAuthor: false, waitMs: 0 });
  await Promise.all([g.decide(d.id, users.alice!, 'approve'), g.decide(d.id, users.bob!, 'approve'), g.decide(d.id, users.carol!, 'approve')]);
  assert.deepEqual([await status(), state.opened], ['queued', 1]);
});

void test('two people: the pusher, the commit author (by email) and committer cannot approve, each refusal naming its rule; they can still reject', async () => {
  const g = gate();
  // not_author: false in the file changes nothing: the rule holds for every gate.
  const { d, state, status } = await held(g, { required: 1, notAuthor: false, waitMs: 0 });
  await rejects(g.decide(d.id, users.dave!, 'approve'), 'FORBIDDEN', /^dave cannot approve shop#\d+ to production: you pushed commit aaaaaaa: approval needs someone else \(rule: not_author\)$/);
  await rejects(g.decide(d.id, users['erin@example.com']!, 'approve'), 'FORBIDDEN', /you are the author of commit aaaaaaa \(Erin Example <erin@example.com>\): approval needs someone else \(rule: not_author\)/);
  await rejects(g.decide(d.id, users.grace!, 'approve'), 'FORBIDDEN', /grace cannot approve .*: you committed commit aaaaaaa \(Grace <grace@example.com>\): approval needs someone else \(rule: not_committer\)/);
  assert.deepEqual(await store.approvals.list(d.id), [], 'a refused approval is not recorded');
  await g.decide(d.id, users.bob!, 'approve');
  assert.deepEqual([await status(), state.opened], ['queued', 1]);

  const other = await held(g, { required: 1, notAuthor: true, waitMs: 0 });
  await g.decide(other.d.id, users.dave!, 'reject', 'not ready');
  assert.equal(await other.status(), 'rejected');
});

void test('two people: the requester and the dispatcher of a workflow_dispatch run cannot approve', async () => {
  const g = gate();
  const mine = await held(g, { required: 1, notAuthor: false, waitMs: 0 }, { by: 'carol' });
  await rejects(g.decide(mine.d.id, users.carol!, 'approve'), 'FORBIDDEN', /carol cannot approve shop#\d+ to production: you requested this deployment: approval needs someone else \(rule: not_requester\)/);
  await g.decide(mine.d.id, users.bob!, 'approve');
  assert.equal(await mine.status(), 'queued');

  // A rebuild by workflow_dispatch has no pusher: the dispatcher (sender.login) takes that place.
  const sha = 'c'.repeat(40);
  const run = await store.runs.create({ projectId, workflow: 'ci.yml', name: 'ci', event: 'workflow_dispatch', ref: 'refs/heads/main', sha, eventPayload: { inputs: {}, sender: { login: 'bob' } }, jobs: [] });
  const dispatched = await store.releases.create({ project_id: projectId, run_id: run.id, sha, ref: run.ref, image: 'shop/shop', digest: `sha256:${'d'.repeat(64)}` });
  const rebuilt = await held(g, { required: 1, notAuthor: false, waitMs: 0 }, { release: dispatched });
  await rejects(g.decide(rebuilt.d.id, users.bob!, 'approve'), 'FORBIDDEN', /bob cannot approve .*: you dispatched the run that built commit ccccccc: approval needs someone else \(rule: not_dispatcher\)/);
  await g.decide(rebuilt.d.id, users.carol!, 'approve');
  assert.equal(await rebuilt.status(), 'queued');
});

void test('approvers: only the approval.approvers list (or, without one, the approver role); the runner account never decides', async () => {
  const g = gate();
  const listed = await held(g, { required: 1, notAuthor: false, waitMs: 0, approvers: ['carol'] });
  await rejects(g.decide(listed.d.id, users.bob!, 'approve'), 'FORBIDDEN', /bob cannot approve .*: approvers of production are carol \(approval.approvers\) \(rule: approvers\)/);
  await rejects(g.decide(listed.d.id, users.alice!, 'reject', 'admins are not listed either'), 'FORBIDDEN', /rule: approvers/);
  const open = await held(g, { required: 1, notAuthor: false, waitMs: 0 });
  await rejects(g.decide(open.d.id, users.mallory!, 'approve'), 'FORBIDDEN', /mallory cannot approve .*: only maintainers of shop approve deployments to production \(rule: approvers\)/);
  for (const decision of ['approve', 'reject'] as const) {
    await rejects(g.decide(open.d.id, users['builtin-runner']!, decision, 'x'), 'FORBIDDEN', /builtin-runner is a service account, not a person, and can never approve or reject a deployment \(rule: human\)/);
  }
  assert.deepEqual(await store.approvals.list(open.d.id), []);
  await g.decide(listed.d.id, users.carol!, 'approve');
  assert.equal(await listed.status(), 'queued');
});

void test('an approval whose commit author cannot be read is refused, not counted (fail closed)', async () => {
  const g = gate(undefined, async () => {
    throw new Error('commit not in the repository');
  });
  const { d, status } = await held(g, { required: 1, notAuthor: false, waitMs: 0 });
  await rejects(g.decide(d.id, users.bob!, 'approve'), 'FORBIDDEN', /the author of commit aaaaaaa cannot be read \(commit not in the repository\).*\(rule: not_author\)/);
  assert.equal(await status(), 'waiting_for_approval');
});

void test('a rejection needs a reason and ends the deployment with it; later decisions conflict', async () => {
  const g = gate();
  const { d, state } = await held(g, { required: 2, notAuthor: false, waitMs: 60_000 });
  await rejects(g.decide(d.id, users.bob!, 'reject'), 'BAD_REQUEST', /a rejection needs a reason/);
  await rejects(g.decide(d.id, users.bob!, 'reject', '   '), 'BAD_REQUEST', /a rejection needs a reason/);
  await g.decide(d.id, users.alice!, 'approve');
  await g.decide(d.id, users.bob!, 'reject', 'the migration is not reviewed');
  const after = await store.deployments.require(d.id);
  assert.deepEqual([after.status, after.error, state.opened], ['rejected', 'rejected by bob: the migration is not reviewed', 0]);
  assert.ok(after.finished_at);
  await rejects(g.decide(d.id, users.carol!, 'approve'), 'CONFLICT', /is rejected, not waiting for approval/);
  g.close();
});

void test('the wait timer counts from creation (injected clock); approvals alone do not open it early; a wait alone opens by itself', async () => {
  const time = fakeClock();
  const g = gate(time.clock);
  const { d, state, status } = await held(g, { required: 1, notAuthor: false, waitMs: 10 * 60_000 });
  const waitUntil = new Date(Date.parse(d.created_at) + 10 * 60_000).toISOString();
  assert.deepEqual((await g.view(d)).approval, { required: 1, approved: 0, waitUntil });
  await g.decide(d.id, users.bob!, 'approve');
  time.advance(9 * 60_000);
  assert.deepEqual([await status(), state.opened], ['waiting_for_approval', 0]);
  time.advance(60_000 + 10);
  await waitUntilTrue(async () => (await status()) === 'queued');
  assert.equal(state.opened, 1);
  assert.equal(time.pending(), 0);

  // This clock is now 10 minutes ahead of the store's: a fresh one for a deployment created now.
  const time2 = fakeClock();
  const timerOnly = await held(gate(time2.clock), { required: 0, notAuthor: false, waitMs: 30_000 });
  assert.equal(await timerOnly.status(), 'waiting_for_approval');
  time2.advance(31_000);
  await waitUntilTrue(async () => (await timerOnly.status()) === 'queued');
});

void test('after a restart a new gate resumes: decisions already recorded count, the timer is re-armed from created_at', async () => {
  const time = fakeClock();
  const first = gate(time.clock);
  const { d, state } = await held(first, { required: 2, notAuthor: false, waitMs: 10 * 60_000 });
  await first.decide(d.id, users.alice!, 'approve');
  await first.decide(d.id, users.bob!, 'approve');
  first.close(); // the server stops
  assert.equal(time.pending(), 0);
  time.advance(4 * 60_000);

  const second = gate(time.clock);
  const waiting = await store.approvals.waiting();
  assert.ok(waiting.some((w) => w.id === d.id));
  const resumed = { opened: 0 };
  await second.hold((await store.deployments.require(d.id)), 'shop', release, { required: 2, notAuthor: false, waitMs: 10 * 60_000 }, () => resumed.opened++);
  assert.equal((await store.deployments.require(d.id)).status, 'waiting_for_approval');
  time.advance(6 * 60_000 + 10);
  await waitUntilTrue(async () => (await store.deployments.require(d.id)).status === 'queued');
  assert.deepEqual([state.opened, resumed.opened], [0, 1]);
});

void test('a decision on a deployment that is not held here conflicts; a finished deployment too', async () => {
  const g = gate();
  const d = await newDeployment();
  await rejects(g.decide(d.id, users.bob!, 'approve'), 'CONFLICT', /is queued, not waiting for approval/);
  await store.approvals.hold(d.id);
  await rejects(g.decide(d.id, users.bob!, 'approve'), 'CONFLICT', /waits at the gate of another Slipway process, which this one could not take over/);
  await rejects(g.decide('dep_nope', users.bob!, 'approve'), 'DEPLOYMENT_UNKNOWN', /not found/);
});

void test('two servers on one database: a decision reaching the server that does not hold the wait adopts it, and the gate opens once', async () => {
  const rule = { required: 2, notAuthor: false, waitMs: 0 };
  const holder = gate();
  const { d, state, status } = await held(holder, rule);
  // Server B's gate adopts a wait it does not hold as its deploy service does (recovery.ts resumeAtGate).
  const adopted = { opened: 0, times: 0 };
  const other = new ApprovalGate({
    store, events: new EventBus(), log: () => {},
    approvers: { commitPeople: async () => ({ author: { name: 'Erin Example', email: 'erin@example.com' }, committer: { name: 'Grace', email: 'grace@example.com' } }), isPerson: () => true, isApprover: async () => true },
    adopt: async (w) => {
      adopted.times++;
      await other.hold(w, 'shop', release, rule, () => adopted.opened++);
    },
  });
  await other.decide(d.id, users.bob!, 'approve');
  assert.deepEqual([await status(), adopted.times, other.holds(d.id)], ['waiting_for_approval', 1, true]);
  // The second approval reaches the first server: one open in all, by whichever got there.
  await holder.decide(d.id, users.carol!, 'approve');
  assert.equal(await status(), 'queued');
  assert.equal(state.opened + adopted.opened, 1);
  // A rejection through one server: the other lets go of the wait at its next look.
  const next = await held(holder, rule);
  await other.decide(next.d.id, users.bob!, 'reject', 'not today');
  assert.equal(await next.status(), 'rejected');
  await rejects(holder.decide(next.d.id, users.carol!, 'approve'), 'CONFLICT', /is rejected, not waiting for approval/);
  assert.equal(holder.holds(next.d.id), false);
  assert.equal(next.state.opened, 0);
});

void test('branches: a release from another branch (or a tag) is refused, naming the branch and the allowed list', () => {
  const env = { name: 'production', hosts: ['local'], strategy: 'blue-green' as const, branches: ['main', 'release/*'] };
  checkBranchAllowed(env, release);
  checkBranchAllowed(env, { ...release, ref: 'refs/heads/release/2.0' });
  assert.throws(
    () => checkBranchAllowed(env, { ...release, ref: 'refs/heads/feature/x' }),
    (err: unknown) => isSlipwayError(err, 'BRANCH_NOT_ALLOWED') && err.status === 422 && /built from branch feature\/x; production takes releases only from main, release\/\*/.test(err.message),
  );
  assert.throws(() => checkBranchAllowed(env, { ...release, ref: 'refs/tags/v1' }), /built from refs\/tags\/v1 \(not a branch\)/);
  checkBranchAllowed({ ...env, branches: undefined }, { ...release, ref: 'refs/tags/v1' });
});

/** The gate's timer callback runs asynchronously (store writes); poll its effect briefly. */
async function waitUntilTrue(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
