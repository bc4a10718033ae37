// Approval gates, users and forced rollbacks through the real HTTP API (and the CLI) of a
// real server with an injected clock. Deployments that get past their gate stop at the
// missing secret, before podman: reaching that error proves they ran.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlipway, type Slipway } from '../slipway.ts';
import { seedReleases } from '../test-support.ts';
import { waitFor } from '../../../test/support/harness.ts';
import { runCli } from '../../../test/support/cli.ts';
import { fakeClock } from '../../core/test-support.ts';
import type { Release } from '../../store/repos/releases.ts';

/** The `environments:` of the seeded deploy.yml (service api, its secret API_KEY never set). */
const environments = `  production:
    branches: [develop, "release/*"]
    approval: { required: 2, not_author: true }
    hosts: [local]
  soak:
    approval: { required: 1, wait: 10m }
    hosts: [local]
  release-only: { branches: ["release/*"], hosts: [local] }
`;

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let slipway: Slipway;
let dataDir: string;
let repo: string;
let clientDir: string;
let r1: Release;
let r2: Release;
const tokens: Record<string, string> = {};

// Real time plus what the tests skipped ahead; timers fire only in `advance`, when due.
const { clock, advance } = fakeClock();

async function call(method: string, path: string, body?: unknown, as = 'admin'): Promise<{ status: number; json: Json }> {
  const token = as === 'admin' ? slipway.adminToken : tokens[as]!;
  const res = await fetch(`${slipway.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}
const env = (e: string, what: string) => `/api/projects/api/environments/${e}/${what}`;
const decide = (id: string, as: string, decision: 'approve' | 'reject', reason?: string) => call('POST', `/api/deployments/${id}/approvals`, { decision, reason }, as);
const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json;

/** The deployment once it left the gate and ran (to its missing secret). */
async function ran(id: string): Promise<Json> {
  const d = await waitFor(`deployment ${id} to finish`, async () => {
    const v = await get(id);
    return v.status === 'success' || v.status === 'failure' ? v : undefined;
  }, 20_000);
  assert.match(d.error, /API_KEY/, 'it ran: it got as far as the secrets');
  return d;
}

const start = () => startSlipway({ dataDir, port: 0, env: {}, log: () => {}, clock });

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-approvals-'));
  clientDir = await mkdtemp(join(tmpdir(), 'slipway-approvals-client-'));
  slipway = await start();
  // As a push by dave built them (src/triggers/push.ts records the pusher in the run's event).
  ({ repo, releases: [r1, r2] } = await seedReleases(slipway, environments, { pusher: { name: 'dave' } }));
});

after(async () => {
  await slipway.close();
  for (const d of [dataDir, repo, clientDir]) await rm(d, { recursive: true, force: true });
});

void describe('approval gates, users and forced rollbacks', () => {
  test('users: admins add (token shown once) and list; a name is taken once; members may do neither', async () => {
    for (const name of ['bob', 'carol', 'dave', 'erin']) {
      const res = await call('POST', '/api/users', { name });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.deepEqual([res.json.name, res.json.role], [name, 'member']);
      assert.match(res.json.token, /^slp_/);
      tokens[name] = res.json.token;
      // A member holds no project role until a maintainer adds one (issue 9): these deploy and approve.
      const added = await call('PUT', `/api/projects/api/members/${name}`, { role: 'maintainer' });
      assert.equal(added.status, 201, JSON.stringify(added.json));
    }
    const dup = await call('POST', '/api/users', { name: 'bob', role: 'admin' });
    assert.deepEqual([dup.status, dup.json.error.code], [409, 'CONFLICT']);
    assert.equal((await call('POST', '/api/users', { name: 'bad name' })).status, 400);
    const list = await call('GET', '/api/users');
    assert.deepEqual(list.json.filter((u: Json) => ['admin', 'bob'].includes(u.name)).map((u: Json) => [u.name, u.role]), [['admin', 'admin'], ['bob', 'member']]);
    assert.ok(!JSON.stringify(list.json).includes('slp_'), 'tokens are never listed');
    const forbidden = await call('GET', '/api/users', undefined, 'bob');
    assert.deepEqual([forbidden.status, forbidden.json.error.code], [403, 'FORBIDDEN']);
    assert.match(forbidden.json.error.message, /only an admin may list users \(bob has role member\)/);
    assert.equal((await call('POST', '/api/users', { name: 'eve' }, 'bob')).status, 403);
  });

  test('branches: a release from a branch the environment does not allow is refused up front', async () => {
    const res = await call('POST', env('release-only', 'deployments'), { release: r1.id });
    assert.deepEqual([res.status, res.json.error.code], [422, 'BRANCH_NOT_ALLOWED']);
    assert.match(res.json.error.message, /built from branch develop; release-only takes releases only from release\/\*/);
    assert.deepEqual(res.json.error.detail, { branch: 'develop', ref: 'refs/heads/develop', allowed: ['release/*'] });
    assert.equal((await call('GET', '/api/deployments?project=api&env=release-only')).json.length, 0, 'nothing recorded');
  });

  test('waits for 2 different approvers (not the requester, not the pusher, not twice the same), then proceeds; survives a restart', async () => {
    const res = await call('POST', env('production', 'deployments'), { release: r1.id }, 'erin');
    assert.equal(res.status, 202, JSON.stringify(res.json));
    const id = res.json.id;
    assert.deepEqual([res.json.status, res.json.approval, res.json.approvals], ['waiting_for_approval', { required: 2, approved: 0, waitUntil: null }, []]);

    // Asked before deciding, the gate answers what deciding would: dave pushed and erin
    // requested it (they may reject, not approve); bob may do both.
    const rights = async (as: string) => (await call('GET', `/api/deployments/${id}/approval-rights`, undefined, as)).json;
    assert.match((await rights('dave')).approve, /dave cannot approve api#\d+ to production: you pushed commit/);
    assert.equal((await rights('dave')).reject, null);
    assert.match((await rights('erin')).approve, /rule: not_requester/);
    const bobs = await rights('bob');
    assert.deepEqual([bobs.deployment, bobs.approve, bobs.reject, bobs.approvals, bobs.approval.approved], [id, null, null, [], 0]);

    const pusher = await decide(id, 'dave', 'approve');
    assert.deepEqual([pusher.status, pusher.json.error.code], [403, 'FORBIDDEN']);
    assert.match(pusher.json.error.message, /^dave cannot approve api#\d+ to production: you pushed commit [0-9a-f]{7}: approval needs someone else \(rule: not_author\)$/);
    const requester = await decide(id, 'erin', 'approve');
    assert.deepEqual([requester.status, requester.json.error.detail.rule], [403, 'not_requester']);
    assert.match(requester.json.error.message, /erin cannot approve api#\d+ to production: you requested this deployment: approval needs someone else \(rule: not_requester\)/);

    const first = await decide(id, 'bob', 'approve');
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.deepEqual([first.json.status, first.json.approval.approved, first.json.approvals.map((a: Json) => [a.user, a.decision])], ['waiting_for_approval', 1, [['bob', 'approve']]]);
    assert.match((await rights('bob')).approve, /bob has decided on deployment #\d+ already/);
    const twice = await decide(id, 'bob', 'approve');
    assert.deepEqual([twice.status, twice.json.error.code], [409, 'CONFLICT']);

    // The CLI shows the progress, and refers to the deployment as PROJECT#NUMBER.
    const cliEnv = { PATH: process.env.PATH, HOME: clientDir, SLIPWAY_DATA: clientDir, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: tokens.carol! };
    const list = await runCli(['deployments', 'api', '--env', 'production'], { env: cliEnv });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /waiting for approval \(1\/2\)/);

    // A restart: the deployment waits on, with the approval it had.
    await slipway.close();
    slipway = await start();
    cliEnv.SLIPWAY_URL = slipway.url;
    assert.deepEqual([(await get(id)).status, (await get(id)).approval.approved], ['waiting_for_approval', 1]);

    const approve = await runCli(['approve', `api#${res.json.number}`], { env: cliEnv });
    assert.equal(approve.code, 0, approve.stderr);
    assert.match(approve.stdout, new RegExp(`deployment api#${res.json.number} to production: approved`));
    const done = await ran(id);
    assert.deepEqual(done.approval, { required: 2, approved: 2, waitUntil: null });
    assert.deepEqual(done.approvals.map((a: Json) => a.user), ['bob', 'carol']);
    const late = await decide(id, 'admin', 'approve');
    assert.deepEqual([late.status, late.json.error.code], [409, 'CONFLICT']);
  });

  test('a rejection needs a reason, ends the deployment with it, and the CLI exits 2 without --reason', async () => {
    const { json: d } = await call('POST', env('production', 'deployments'), { release: r2.id });
    assert.equal((await decide(d.id, 'bob', 'reject')).status, 400);
    const cliEnv = { PATH: process.env.PATH, HOME: clientDir, SLIPWAY_DATA: clientDir, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: tokens.bob! };
    assert.equal((await runCli(['reject', d.id], { env: cliEnv })).code, 2);
    const rejected = await runCli(['reject', 'api', String(d.number), '--reason', 'freeze until Monday'], { env: cliEnv });
    assert.equal(rejected.code, 0, rejected.stderr);
    const after = await get(d.id);
    assert.deepEqual([after.status, after.error], ['rejected', 'rejected by bob: freeze until Monday']);
    assert.ok(after.finishedAt);
    assert.deepEqual(after.approvals.map((a: Json) => [a.user, a.decision, a.reason]), [['bob', 'reject', 'freeze until Monday']]);
  });

  test('rollback --force: a member is refused; an admin skips the gate, even while another deployment waits there', async () => {
    const { store } = slipway;
    const project = await store.projects.require('api');
    // History of production: r2 succeeded before r1 (serving now).
    for (const r of [r2, r1]) {
      const d = await store.deployments.create({ project_id: project.id, environment: 'production', release_id: r.id, trigger: 'manual', triggered_by: 'seed' });
      await store.deployments.update(d.id, { status: 'success' });
    }
    await store.deployments.setState({ project_id: project.id, environment: 'production', release_id: r1.id, container: 'c1', host_port: 1, publish: null });

    const gated = await call('POST', env('production', 'rollbacks'), {});
    assert.deepEqual([gated.status, gated.json.status, gated.json.release.id], [202, 'waiting_for_approval', r2.id]);
    const member = await call('POST', env('production', 'rollbacks'), { force: true }, 'bob');
    assert.deepEqual([member.status, member.json.error.code], [403, 'FORBIDDEN']);
    assert.match(member.json.error.message, /only an admin may force a rollback past the approval gate \(bob has role member\)/);

    const forced = await call('POST', env('production', 'rollbacks'), { force: true });
    assert.equal(forced.status, 202, JSON.stringify(forced.json));
    assert.notEqual(forced.json.status, 'waiting_for_approval');
    assert.deepEqual(forced.json.approvals.map((a: Json) => [a.user, a.reason]), [['admin', 'rollback --force by an admin: approval gate skipped']]);
    // Audited, once: the member's refused attempt forced nothing.
    const audited = await store.audit.list({ action: 'deploy.force' });
    assert.deepEqual(audited.map((e) => [e.actor, e.project, e.target, e.detail.deployment, e.detail.kind]), [['admin', 'api', 'production', forced.json.id, 'rollback']]);
    await ran(forced.json.id);
    assert.equal((await get(gated.json.id)).status, 'waiting_for_approval', 'the waiting one is still waiting; it held nobody up');
    assert.equal((await decide(gated.json.id, 'carol', 'reject', 'superseded by the forced rollback')).status, 200);
  });

  test('wait timer: approved, but the deployment starts only once 10 minutes passed on the (injected) clock', async () => {
    const { json: d } = await call('POST', env('soak', 'deployments'), { release: r1.id });
    const waitUntil = new Date(Date.parse(d.createdAt) + 10 * 60_000).toISOString();
    assert.deepEqual([d.status, d.approval], ['waiting_for_approval', { required: 1, approved: 0, waitUntil }]);
    assert.equal((await decide(d.id, 'bob', 'approve')).json.status, 'waiting_for_approval');
    advance(9 * 60_000);
    assert.equal((await get(d.id)).status, 'waiting_for_approval');
    advance(60_000 + 1000);
    await ran(d.id);
  });
});
