// Sessions against a real in-memory database: how they end (idle, absolute, with their
// token, signed out), what the cookie looks like, and the CSRF check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { checkCsrf, checkPassword, checkToken, openSession, resolveSession, sessionCookie, sessionCookieHeader, sessionLimits } from './sessions.ts';
import { hashPassword } from './passwords.ts';
import { isSlipwayError } from '../core/errors.ts';

async function fixture() {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const user = await store.users.create('alice', 'member');
  return { db, store, user };
}

const day = 24 * 3600_000;

test('a session ends after a week unused, and after 30 days however busy', async () => {
  const { db, store, user } = await fixture();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const idle = await openSession(store, { ok: true, user, scope: 'admin' }, t0);
  assert.equal((await resolveSession(store, idle.cookie, t0 + 6 * day))?.user.name, 'alice');
  // Seen on day 6: idle counts from then.
  assert.ok(await resolveSession(store, idle.cookie, t0 + 12 * day));
  assert.equal(await resolveSession(store, idle.cookie, t0 + 12 * day + sessionLimits.idleMs), undefined);
  assert.equal(await store.sessions.byCookie(idle.cookie), undefined, 'an ended session is deleted');

  const busy = await openSession(store, { ok: true, user, scope: 'admin' }, t0);
  for (let d = 1; d < 30; d++) assert.ok(await resolveSession(store, busy.cookie, t0 + d * day), `day ${d}`);
  assert.equal(await resolveSession(store, busy.cookie, t0 + 30 * day), undefined);
  await db.destroy();
});

test('a token session has the token scope and ends with the token; job tokens open none', async () => {
  const { db, store, user } = await fixture();
  const { row, token } = await store.users.issueToken(user.id, 'ui', { scope: 'read', expiresAt: new Date(Date.now() + day).toISOString() });
  const signIn = await checkToken(store, token);
  assert.ok(signIn.ok);
  const s = await openSession(store, signIn);
  assert.ok(Date.parse(s.row.expires_at) <= Date.now() + day, 'not past the token');
  const p = await resolveSession(store, s.cookie);
  assert.equal(p?.kind === 'user' && p.token.scope, 'read');
  await store.users.revokeToken(row.id);
  assert.equal(await resolveSession(store, s.cookie), undefined);
  assert.deepEqual(await checkToken(store, 'slpj_unknown'), { ok: false, reason: 'unknown token' });
  await db.destroy();
});

test('passwords: right, wrong, unknown user, none set', async () => {
  const { db, store, user } = await fixture();
  assert.equal(await checkPassword(store, 'alice', 'anything-at-all'), undefined, 'no password set');
  await store.users.setPasswordHash(user.id, await hashPassword('alices-password'));
  assert.equal((await checkPassword(store, 'alice', 'alices-password'))?.id, user.id);
  assert.equal(await checkPassword(store, 'alice', 'alices-passworD'), undefined);
  assert.equal(await checkPassword(store, 'mallory', 'alices-password'), undefined);
  assert.notEqual(await store.users.passwordHash(user.id), 'alices-password');
  await db.destroy();
});

test('the cookie: read among others, written HttpOnly and SameSite=Strict, Secure over https', () => {
  assert.equal(sessionCookie({ cookie: 'a=1; slipway_session=abc; b=2' }), 'abc');
  assert.equal(sessionCookie({ cookie: 'xslipway_session=abc' }), undefined);
  assert.equal(sessionCookie({}), undefined);
  assert.equal(sessionCookieHeader('abc', false, 60), 'slipway_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=60');
  assert.equal(sessionCookieHeader('abc', true, 60), 'slipway_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure');
  assert.equal(sessionCookieHeader(undefined, false), 'slipway_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
});

test('CSRF: writes by cookie need the token; reads and header-token callers do not', () => {
  const user = { id: 'usr_1', name: 'alice', role: 'member' as const, created_at: '' };
  const session = { kind: 'user' as const, user, token: { id: 'ses_1', name: 'browser session', scope: 'admin' as const }, session: { id: 'ses_1', csrf: 'c'.repeat(43) } };
  const bearer = { kind: 'user' as const, user, token: { id: 'tok_1', name: 't', scope: 'admin' as const } };
  const refused = (f: () => void) => assert.throws(f, (err) => isSlipwayError(err, 'FORBIDDEN') && /csrf token missing or wrong/.test(err.message));
  refused(() => checkCsrf(session, 'POST', {}));
  refused(() => checkCsrf(session, 'DELETE', { 'x-csrf-token': 'c'.repeat(42) }));
  refused(() => checkCsrf(session, 'PUT', { 'x-csrf-token': 'd'.repeat(43) }));
  checkCsrf(session, 'POST', { 'x-csrf-token': 'c'.repeat(43) });
  checkCsrf(session, 'GET', {});
  checkCsrf(bearer, 'POST', {});
  checkCsrf(undefined, 'POST', {});
});
