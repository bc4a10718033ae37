// Decisions on a waiting job against a real store and scheduler, with the environment's
// protection read from a default branch's deploy.yml (no git, no server): the same
// two-person and approver rules as a deployment's, then queued with `approved`, or failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup, job, wf } from '../../scheduler/test-support.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { startRun } from '../../scheduler/start-run.ts';
import { parseWorkflow } from '../../workflow/parse/parse-workflow.ts';
import type { JobSecretsRequest } from '../../scheduler/job-secrets.ts';
import { JobApprovals } from './job-approvals.ts';

const deployYml = (approval: string) => `service: app\nimage: app\nport: 8080\nenvironments:\n  production: { hosts: [local]${approval} }\n  open: { hosts: [local] }\n`;
const yaml = wf(job('ship', '    environment: production\n'), job('after', '    needs: ship\n'));

async function waitingJob(approval = ', approval: { required: 2 }') {
  const s = await setup();
  const maintainers = new Set(['alice', 'bob', 'carol', 'erin']);
  const requests: JobSecretsRequest[] = [];
  const gate = new JobApprovals({
    store: s.store,
    rules: { store: s.store, readFile: async (_p, _rev, path) => (path === '.slipway/deploy.yml' ? deployYml(approval) : undefined), defaultBranch: async () => ({ ref: 'refs/heads/main', sha: 'b'.repeat(40) }) },
    approvers: { isPerson: (u) => !u.name.includes(':'), isApprover: async (u) => maintainers.has(u.name), commitPeople: async () => ({ author: { name: 'Carol', email: 'carol@example.com' }, committer: { name: 'Carol', email: 'carol@example.com' } }) },
    // Called only after the scheduler below exists.
    scheduler: () => scheduler,
    log: () => {},
  });
  const scheduler: Scheduler = new Scheduler({ store: s.store, events: s.events, leaseMs: 60_000, gate, secretsFor: async (r) => (requests.push(r), { secrets: {}, notes: [] }) });
  const file = '.slipway/workflows/ci.yml';
  const trigger = { project: 'demo', ref: 'refs/heads/main', sha: 'a'.repeat(40), event: 'push', payload: { pusher: { name: 'alice' } } };
  const created = await startRun({ git: { readFile: async () => undefined }, store: s.store, events: s.events, scheduler, log: () => {} }, trigger, file, parseWorkflow(file, yaml).workflow!);
  assert.equal(await scheduler.claim('r1', ['local']), undefined);
  const ship = (await s.jobsByKey(created.id)).ship!;
  assert.equal(ship.status, 'waiting');
  const user = async (name: string) => s.store.users.create(name, 'member');
  return { s, scheduler, gate, ship, runId: created.id, requests, user };
}

void test('the pusher, the author, a non-approver and a service account are refused; two maintainers let the job through', async () => {
  const { s, scheduler, gate, ship, requests, user } = await waitingJob();
  const refused = async (name: string, rule: string) => {
    const err = await gate.decide(ship.id, await user(name), 'approve').then(() => undefined, (e: unknown) => e as Error & { code: string });
    assert.equal(err?.code, 'FORBIDDEN', name);
    assert.match(err.message, new RegExp(`^${name} cannot approve job ship of demo#1 \\(environment production\\): .*\\(rule: ${rule}\\)$`));
    return err.message;
  };
  assert.match(await refused('alice', 'not_author'), /you pushed commit aaaaaaa/);
  assert.match(await refused('carol', 'not_author'), /you are the author of commit aaaaaaa/);
  assert.match(await refused('dave', 'approvers'), /only maintainers of demo approve jobs that use production/);
  await refused('job:x', 'human');
  const bob = await user('bob');
  const first = await gate.decide(ship.id, bob, 'approve', 'fine');
  assert.deepEqual(first.approval, { required: 2, approved: 1, waitUntil: null });
  await assert.rejects(gate.decide(ship.id, bob, 'approve'), /bob already approved job ship of demo#1; each user decides once/);
  assert.equal((await s.store.runs.job(ship.id))!.status, 'waiting');
  const second = await gate.decide(ship.id, await user('erin'), 'approve');
  assert.deepEqual(second.approvals.map((a) => [a.user, a.decision, a.reason]), [['bob', 'approve', 'fine'], ['erin', 'approve', null]]);
  assert.equal((await s.store.runs.job(ship.id))!.status, 'queued');
  const claimed = (await scheduler.claim('r1', ['local']))!;
  assert.equal(claimed.job.key, 'ship');
  assert.deepEqual(requests.map((r) => [r.environment, r.approved]), [['production', true]]);
  await assert.rejects(gate.decide(ship.id, await user('zed'), 'approve'), /job ship of demo#1 is running, not waiting for approval/);
});

void test('a rejection needs a reason, fails the job with it and skips its dependants', async () => {
  const { s, gate, ship, runId, user } = await waitingJob();
  const bob = await user('bob');
  await assert.rejects(gate.decide(ship.id, bob, 'reject', '  '), /a rejection needs a reason/);
  // The pusher may still reject.
  await gate.decide(ship.id, await user('alice'), 'reject', 'wrong commit');
  const jobs = await s.jobsByKey(runId);
  assert.equal(jobs.ship!.status, 'failure');
  assert.equal(jobs.ship!.error, 'rejected by alice: wrong commit');
  assert.equal(jobs.after!.status, 'skipped');
  const rows = await s.store.approvals.listForJob(ship.id);
  assert.deepEqual(rows.map((r) => [r.user_name, r.decision, r.deployment_id]), [['alice', 'reject', null]]);
});

void test('approval.approvers narrows who may approve, and the notice names them', async () => {
  const { s, gate, ship, user } = await waitingJob(', approval: { required: 1, approvers: [erin] }');
  assert.equal((await gate.ruleFor('demo', 'production'))?.approvers, 'erin');
  assert.equal(await gate.ruleFor('demo', 'open'), undefined);
  assert.equal(await gate.ruleFor('demo', 'nowhere'), undefined);
  await assert.rejects(gate.decide(ship.id, await user('bob'), 'approve'), /approvers of production are erin \(approval.approvers\) \(rule: approvers\)/);
  await gate.decide(ship.id, await user('erin'), 'approve');
  assert.equal((await s.store.runs.job(ship.id))!.status, 'queued');
});

void test('rightsOf answers what deciding would: the pusher may reject but not approve; a decided user neither; a running job nobody', async () => {
  const { scheduler, gate, ship, user } = await waitingJob();
  const alice = await gate.rightsOf(ship.id, await user('alice'));
  assert.match(alice.approve!, /^alice cannot approve job ship of demo#1 .*\(rule: not_author\)$/);
  assert.equal(alice.reject, null);
  assert.match((await gate.rightsOf(ship.id, await user('dave'))).approve!, /\(rule: approvers\)$/);
  const bob = await user('bob');
  assert.deepEqual(await gate.rightsOf(ship.id, bob), { approve: null, reject: null });
  await gate.decide(ship.id, bob, 'approve');
  const decided = await gate.rightsOf(ship.id, bob);
  assert.match(decided.approve!, /bob already approved job ship of demo#1; each user decides once/);
  assert.equal(decided.reject, decided.approve);
  await gate.decide(ship.id, await user('erin'), 'approve');
  await scheduler.claim('r1', ['local']);
  assert.match((await gate.rightsOf(ship.id, await user('zed'))).approve!, /is running, not waiting for approval/);
});
