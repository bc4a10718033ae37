// A job naming a gated environment, against the real scheduler and store with a fake JobGate:
// queued → waiting (with a notice) → queued once approved (and run with `approved`), or
// failed when rejected (its dependants skip); cancel ends a waiting job; the wait timer holds it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup, job, wf } from './test-support.ts';
import { Scheduler } from './scheduler.ts';
import type { JobGate, JobGateRule } from './job-gate.ts';
import type { JobSecretsRequest } from './job-secrets.ts';
import { jobLogStream } from '../store/repos/logs.ts';

const yaml = wf(job('build'), job('ship', '    needs: build\n    environment: production\n'), job('after', '    needs: ship\n'));

async function gated(rule: JobGateRule | undefined) {
  const s = await setup();
  const approvals = new Map<string, number>();
  const asked: string[] = [];
  const gate: JobGate = {
    ruleFor: async (project, environment) => {
      asked.push(`${project}/${environment}`);
      return environment === 'production' ? rule : undefined;
    },
    approvals: async (jobId) => approvals.get(jobId) ?? 0,
  };
  const requests: JobSecretsRequest[] = [];
  const scheduler = new Scheduler({ store: s.store, events: s.events, leaseMs: 60_000, gate, secretsFor: async (r) => (requests.push(r), { secrets: {}, notes: [] }) });
  const run = await s.createRun(yaml);
  const build = (await scheduler.claim('r1', ['local']))!;
  await scheduler.completeJob(build.job.id, 'r1', 'success', {});
  return { s, scheduler, run, approvals, asked, requests };
}

const rule: JobGateRule = { required: 1, waitMs: 0, approvers: 'maintainers of demo' };

void test('a job naming a gated environment waits, with a notice, and runs with approved once approved', async () => {
  const { s, scheduler, run, approvals, asked, requests } = await gated(rule);
  assert.equal(await scheduler.claim('r1', ['local']), undefined);
  const ship = (await s.jobsByKey(run.id)).ship!;
  assert.equal(ship.status, 'waiting');
  assert.ok(ship.waiting_since);
  assert.equal(ship.gate_environment, 'production');
  assert.equal((await s.store.runs.require(run.id)).status, 'waiting');
  assert.deepEqual(asked, ['demo/production']);
  const log = (await s.store.logs.read(jobLogStream(ship.id, ship.attempt))).map((c) => c.text).join('');
  assert.equal(log, '##[notice]waiting for approval of environment production (0 of 1 needed; who may approve: maintainers of demo)\n');
  // Not enough approvals: a recheck leaves it waiting, and claims do not see it.
  assert.equal(await scheduler.recheckGate(ship.id), false);
  assert.equal(await scheduler.claim('r1', ['local']), undefined);
  approvals.set(ship.id, 1);
  assert.equal(await scheduler.recheckGate(ship.id), true);
  const claimed = (await scheduler.claim('r1', ['local']))!;
  assert.equal(claimed.job.key, 'ship');
  assert.equal((await s.store.runs.require(run.id)).status, 'running');
  assert.deepEqual(requests.map((r) => [r.environment, r.approved]), [[undefined, undefined], ['production', true]]);
});

void test('a rejected job fails with the reason and its dependants are skipped', async () => {
  const { s, scheduler, run } = await gated(rule);
  await scheduler.claim('r1', ['local']);
  const ship = (await s.jobsByKey(run.id)).ship!;
  assert.equal(await scheduler.rejectAtGate(ship.id, 'rejected by bob: not today'), true);
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.ship!.status, 'failure');
  assert.equal(jobs.ship!.error, 'rejected by bob: not today');
  assert.equal(jobs.after!.status, 'skipped');
  assert.equal((await s.store.runs.require(run.id)).status, 'failure');
  assert.equal(await scheduler.rejectAtGate(ship.id, 'again'), false);
});

void test('cancelling a run ends its waiting job', async () => {
  const { s, scheduler, run } = await gated(rule);
  await scheduler.claim('r1', ['local']);
  await scheduler.cancelRun(run.id);
  const jobs = await s.jobsByKey(run.id);
  assert.equal(jobs.ship!.status, 'cancelled');
  assert.equal((await s.store.runs.require(run.id)).status, 'cancelled');
});

void test('the wait timer holds an approved job until it ran out from when the job began to wait', async () => {
  const { s, scheduler, run, approvals } = await gated({ required: 1, waitMs: 60_000, approvers: 'alice' });
  await scheduler.claim('r1', ['local']);
  const ship = (await s.jobsByKey(run.id)).ship!;
  approvals.set(ship.id, 1);
  assert.equal(await scheduler.openTimedGates(), 0);
  await s.store.runs.setJob(ship.id, { waiting_since: new Date(Date.now() - 61_000).toISOString() });
  assert.equal(await scheduler.openTimedGates(), 1);
  assert.equal((await scheduler.claim('r1', ['local']))?.job.key, 'ship');
});

void test('an environment without a rule, and a gate that cannot be read', async () => {
  const open = await gated(undefined);
  assert.equal((await open.scheduler.claim('r1', ['local']))?.job.key, 'ship');
  const s = await setup();
  const scheduler = new Scheduler({ store: s.store, events: s.events, leaseMs: 60_000, gate: { ruleFor: async () => { throw new Error('deploy.yml on the default branch is invalid'); }, approvals: async () => 0 } });
  const run = await s.createRun(yaml);
  const build = (await scheduler.claim('r1', ['local']))!;
  await scheduler.completeJob(build.job.id, 'r1', 'success', {});
  assert.equal(await scheduler.claim('r1', ['local']), undefined);
  const ship = (await s.jobsByKey(run.id)).ship!;
  assert.equal(ship.status, 'failure');
  assert.match(ship.error!, /approval rule of environment production could not be read: deploy.yml on the default branch is invalid/);
});
