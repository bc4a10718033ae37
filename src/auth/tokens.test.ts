// User tokens on a real in-memory store: a token resolves to its user and scope; revoked,
// expired and unknown ones are refused with the reason; a deployment's pull token holds
// while its deployment lasts and only until its expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { resolveToken, issueDeployToken, deployTokenLifetimeMs } from './tokens.ts';
import { checkScope } from './token-scope.ts';
import { isSlipwayError } from '../core/errors.ts';

async function newStore() {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  return createStore(db);
}

test('a user token resolves with its scope; revoked and expired ones say so', async () => {
  const store = await newStore();
  const bob = await store.users.create('bob', 'member');
  const { row, token } = await store.users.issueToken(bob.id, 'laptop', { scope: 'read', expiresAt: new Date(Date.now() + 60_000).toISOString() });
  const ok = await resolveToken(store, token);
  assert.ok(ok.ok);
  assert.deepEqual(ok.principal.kind === 'user' && ok.principal.token, { id: row.id, name: 'laptop', scope: 'read' });
  assert.ok((await store.users.listTokens(bob.id))[0]!.last_used_at, 'the use is recorded');

  const later = await resolveToken(store, token, Date.now() + 120_000);
  assert.deepEqual(later, { ok: false, reason: `token "laptop" of bob expired at ${row.expires_at}` });
  assert.equal((await store.users.byToken(token))?.name, 'bob');

  await store.users.revokeToken(row.id);
  const revoked = await resolveToken(store, token);
  assert.equal(revoked.ok, false);
  assert.match(!revoked.ok ? revoked.reason : '', /^token "laptop" of bob was revoked at \d{4}-/);
  assert.equal(await store.users.byToken(token), undefined);
  assert.deepEqual(await resolveToken(store, 'slp_nope'), { ok: false, reason: 'unknown token' });
});

test('tokens made before scopes existed keep every scope (migration 0009 default)', async () => {
  const store = await newStore();
  const admin = await store.users.create('admin', 'admin');
  const token = await store.users.createToken(admin.id, 'admin.token');
  const r = await resolveToken(store, token);
  assert.ok(r.ok && r.principal.kind === 'user' && r.principal.token.scope === 'admin');
});

test("a deployment's pull token pulls the release's repository only, and ends with the deployment or its expiry", async () => {
  const store = await newStore();
  const project = await store.projects.ensure('hello');
  const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40), jobs: [] } as never);
  const release = await store.releases.create({ project_id: project.id, run_id: run.id, sha: 'a'.repeat(40), ref: 'refs/heads/main', image: 'hello/web', digest: `sha256:${'b'.repeat(64)}` });
  const deployment = await store.deployments.create({ project_id: project.id, environment: 'production', release_id: release.id, trigger: 'manual', triggered_by: 'alice' });
  const at = Date.now();
  const { token } = await issueDeployToken(store, { id: deployment.id, projectId: project.id }, 'hello/web', at);
  const r = await resolveToken(store, token, at);
  assert.ok(r.ok && r.principal.kind === 'deploy');
  checkScope(r.principal, { kind: 'registry', repository: 'hello/web', access: 'pull' });
  for (const action of [
    { kind: 'registry', repository: 'hello/web', access: 'push' },
    { kind: 'registry', repository: 'hello/other', access: 'pull' },
    { kind: 'git', project: 'hello', access: 'fetch' },
    { kind: 'api', method: 'GET', route: '/api/projects', params: {} },
  ] as const) {
    assert.throws(() => checkScope(r.principal, action), (err) => isSlipwayError(err, 'FORBIDDEN') && /pull token of deployment .* missing scope; its scope is pulling hello\/web only/.test(err.message));
  }
  assert.equal((await resolveToken(store, token, at + deployTokenLifetimeMs + 1)).ok, false, 'expired');
  await store.deployments.update(deployment.id, { status: 'success', finished_at: new Date().toISOString() });
  assert.deepEqual(await resolveToken(store, token, at), { ok: false, reason: `the pull token of deployment ${deployment.id} is no longer valid: its deployment has ended` });
});

test('a runner credential is kept once it resolved; revoking it or registering its name again refuses it at once', async () => {
  const store = await newStore();
  const { row, token } = await store.runnerCredentials.create('r1');
  assert.ok((await resolveToken(store, token)).ok);
  // Kept (runner-cache.ts): gone from the table behind the store's back, it still resolves: no lookup per request.
  await store.db.deleteFrom('runner_credentials').where('id', '=', row.id).execute();
  assert.ok((await resolveToken(store, token)).ok);
  await store.db.insertInto('runner_credentials').values(row).execute();

  await store.runnerCredentials.revokeName('r1');
  assert.match(await refusedWhy(store, token), /^the runner credential of runner r1 was revoked at /);

  const older = await store.runnerCredentials.create('r2');
  assert.ok((await resolveToken(store, older.token)).ok);
  const newer = await store.runnerCredentials.create('r2');
  assert.match(await refusedWhy(store, older.token), /^the runner credential of runner r2 was revoked at /);
  assert.ok((await resolveToken(store, newer.token)).ok);
});

async function refusedWhy(store: Awaited<ReturnType<typeof newStore>>, token: string): Promise<string> {
  const r = await resolveToken(store, token);
  return r.ok ? 'accepted' : r.reason;
}
