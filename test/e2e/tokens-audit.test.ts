// Tokens and the audit log against a real server, with the real CLI and git: named tokens
// with a scope and an expiry, listed and revoked; a read token reads and clones but cannot
// write or push; expired and revoked tokens get 401 saying so; JSON bodies need their
// content type (415); the audit log has every token and failed-login entry; and an address
// that keeps failing gets 429 with Retry-After.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { commitAndPush, git, removeDir, startHarness, type Harness } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const exec = promisify(execFile);

interface TokenView { id: string; name: string; scope: string; state: string; expiresAt: string | null; token?: string }
interface AuditView { actor: string; action: string; project: string | null; target: string | null; address: string | null; detail: Record<string, unknown> }

let h: Harness;
let repo: string;
let bobToken: string;
before(async () => {
  h = await startHarness();
  repo = await mkdtemp(join(tmpdir(), 'slipway-tokens-'));
  await writeFile(join(repo, 'README'), 'hi\n');
  await git(repo, 'init', '-q', '-b', 'main');
  await commitAndPush(repo, h, 'notes', 'first', 'main');
  bobToken = (await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'bob' }) })).token;
  // A developer of the project: what a token may reach is its user's role, narrowed by the token's scope.
  await h.api('/api/projects/notes/members/bob', { method: 'PUT', body: JSON.stringify({ role: 'developer' }) });
});
after(async () => {
  await h?.stop();
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
});

const call = (path: string, token: string, init: RequestInit = {}) => fetch(`${h.slipway.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
const cli = (token: string, ...args: string[]) => runCli(args, { env: { PATH: process.env.PATH, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: token, NO_COLOR: '1' } });
const clone = (token: string, dir: string) => exec('git', ['clone', '-q', `${h.slipway.url}/git/notes.git`, dir], { env: gitAuthEnv(token) }).then(() => 'ok', (err: Error) => err.message);

test('tokens create, list and revoke through the CLI; a read token reads and clones, never writes', async () => {
  const created = await cli(bobToken, 'tokens', 'create', 'ci', '--scope', 'read', '--expires', '30d', '--json');
  assert.equal(created.code, 0, created.stderr);
  const ci = JSON.parse(created.stdout) as TokenView;
  assert.equal(ci.scope, 'read');
  assert.match(ci.token!, /^slp_/);
  const days = (Date.parse(ci.expiresAt!) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

  const list = await cli(bobToken, 'tokens', 'list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ci\s+tok_\S+\s+read\s+active\s+\d{4}-/m);
  assert.ok(!list.stdout.includes(ci.token!), 'values are never listed');

  assert.equal((await call('/api/projects', ci.token!)).status, 200);
  const write = await call('/api/projects', ci.token!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
  assert.equal(write.status, 403);
  assert.match(await write.text(), /token \\"ci\\" of bob \(scope read\) may not POST \/api\/projects: missing scope write/);
  assert.equal(await clone(ci.token!, join(repo, '..', `clone-${Date.now()}`)), 'ok');
  const push = await exec('git', ['push', '-q', `${h.slipway.url}/git/notes.git`, 'HEAD:refs/heads/read-push'], { cwd: repo, env: gitAuthEnv(ci.token!) }).then(() => 'pushed', (err: Error) => err.message);
  assert.match(push, /403/);

  // A write token cannot mint tokens (that takes the admin scope), so a leaked one cannot multiply.
  const w = await call('/api/tokens', bobToken, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"deployer","scope":"write"}' });
  const deployer = (await w.json()) as TokenView;
  assert.equal(w.status, 201);
  const mint = await call('/api/tokens', deployer.token!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"more"}' });
  assert.equal(mint.status, 403);
  assert.match(await mint.text(), /missing scope admin/);
  // The same name twice is refused while the first is active.
  assert.equal((await call('/api/tokens', bobToken, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ci"}' })).status, 409);

  const revoked = await cli(bobToken, 'tokens', 'revoke', 'ci');
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /^revoked token ci \(tok_/);
  const after = await call('/api/projects', ci.token!);
  assert.equal(after.status, 401);
  assert.match(await after.text(), /authentication failed: token \\"ci\\" of bob was revoked at/);
  const refusedCli = await cli(ci.token!, 'tokens', 'list');
  assert.equal(refusedCli.code, 1);
  assert.match(refusedCli.stderr, /refused the token \(authentication failed: token "ci" of bob was revoked at/);
  assert.equal((await cli(bobToken, 'tokens', 'revoke', 'ci')).code, 1, 'nothing left to revoke');
});

test('an expired token gets 401 saying when it expired', async () => {
  const made = (await (await call('/api/tokens', bobToken, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"short","expiresIn":"1m"}' })).json()) as TokenView;
  assert.equal((await call('/api/projects', made.token!)).status, 200);
  // A minute is long for a test: move its expiry into the past, as the clock would.
  const past = new Date(Date.now() - 1000).toISOString();
  await h.slipway.store.db.updateTable('tokens').set({ expires_at: past }).where('id', '=', made.id).execute();
  const res = await call('/api/projects', made.token!);
  assert.equal(res.status, 401);
  assert.match(await res.text(), new RegExp(`token \\\\"short\\\\" of bob expired at ${past.replace(/[.]/g, '\\.')}`));
  const listed = (await (await call('/api/tokens', bobToken)).json()) as TokenView[];
  assert.equal(listed.find((t) => t.name === 'short')!.state, 'expired');
  const badLifetime = await call('/api/tokens', bobToken, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x","expiresIn":"forever"}' });
  assert.equal(badLifetime.status, 400);
  assert.match(await badLifetime.text(), /expiresIn: expected a lifetime such as 90m, 12h or 30d, found \\"forever\\"/);
});

test('a JSON body without Content-Type: application/json is 415', async () => {
  const res = await call('/api/projects', h.slipway.adminToken, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"plain"}' });
  assert.equal(res.status, 415);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  assert.match(body.error.message, /application\/json, not text\/plain/);
});

test('the audit log: admins read it all, members are refused naming audit.read', async () => {
  await call('/api/projects', 'slp_wrong-guess', { headers: { authorization: `Basic ${Buffer.from('mallory:slp_wrong-guess').toString('base64')}` } });
  const entries = await h.api<AuditView[]>('/api/audit');
  const actions = entries.map((e) => `${e.action} ${e.actor} ${e.target}`);
  const added = entries.find((e) => e.action === 'member.add');
  assert.deepEqual(added && [added.actor, added.project, added.target, added.detail.role], ['admin', 'notes', 'bob', 'developer']);
  for (const expected of ['token.create bob ci', 'token.create bob deployer', 'token.create bob short', 'token.revoke bob ci', 'auth.failed mallory mallory']) {
    assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
  }
  const failed = entries.find((e) => e.action === 'auth.failed' && e.actor === 'mallory')!;
  assert.match(failed.address!, /127\.0\.0\.1/);
  assert.deepEqual(failed.detail, { reason: 'unknown token', request: 'GET /api/projects' });
  const revokedUse = entries.find((e) => e.action === 'auth.failed' && /was revoked/.test(String(e.detail.reason)));
  assert.ok(revokedUse, 'using a revoked token is a failed authentication too');
  const created = entries.find((e) => e.action === 'token.create' && e.target === 'ci')!;
  assert.equal(created.detail.scope, 'read');

  const viaCli = await cli(h.slipway.adminToken, 'audit', '--action', 'token.revoke', '--json');
  assert.equal(viaCli.code, 0, viaCli.stderr);
  assert.deepEqual((JSON.parse(viaCli.stdout) as AuditView[]).map((e) => e.target), ['ci']);
  const member = await call('/api/audit', bobToken);
  assert.equal(member.status, 403);
  assert.match(await member.text(), /missing permission audit.read/);
});

// On a server of its own: the failures above already count against this address.
test('repeated failed authentications from one address get 429 with Retry-After, valid tokens included', async () => {
  const fresh = await startHarness();
  try {
    const hit = (path: string, token: string) => fetch(`${fresh.slipway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await hit('/api/projects', `slp_guess-${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
    const blocked = await hit('/api/projects', fresh.slipway.adminToken);
    assert.equal(blocked.status, 429);
    const wait = Number(blocked.headers.get('retry-after'));
    assert.ok(wait > 50 && wait <= 60, `Retry-After: ${wait}`);
    assert.match(await blocked.text(), /too many failed authentications from this address: retry in \d+ s/);
    assert.equal((await hit('/v2/', fresh.slipway.adminToken)).status, 429, 'the registry too');
    assert.equal((await fresh.slipway.store.audit.list({ action: 'auth.blocked' })).length, 1);
    assert.equal((await fetch(`${fresh.slipway.url}/healthz`)).status, 200, 'health checks are not held back');
  } finally {
    await fresh.stop();
    await removeDir(fresh.dataDir);
  }
});
