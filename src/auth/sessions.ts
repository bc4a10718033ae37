// Browser sessions (issue 11): signing in with a password or a token opens one; its id
// travels in an HttpOnly, SameSite=Strict cookie and its CSRF token in X-CSRF-Token on every
// state-changing request. A session ends when signed out, after a week unused, after 30 days
// in any case, and with the token it was opened with. The model is in docs/security.md
// "Sessions".
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Store } from '../store/store.ts';
import type { User } from '../store/repos/users.ts';
import type { Session } from '../store/repos/sessions.ts';
import { SlipwayError } from '../core/errors.ts';
import { resolveToken } from './tokens.ts';
import { verifyPassword } from './passwords.ts';
import type { Principal, TokenScope } from './principal.ts';

export const sessionCookieName = 'slipway_session';
export const sessionLimits = { idleMs: 7 * 24 * 3600_000, maxMs: 30 * 24 * 3600_000 };

/** The session cookie's value, when the request carries one. */
export function sessionCookie(headers: IncomingHttpHeaders): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === sessionCookieName) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** RFC 6265 §4.1: the cookie that carries a session (empty value and Max-Age=0 to clear it). */
export function sessionCookieHeader(value: string | undefined, secure: boolean, maxAgeSeconds = sessionLimits.maxMs / 1000): string {
  const attrs = [`${sessionCookieName}=${value ?? ''}`, 'HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${value ? Math.floor(maxAgeSeconds) : 0}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** The user, if `name` and `password` match one; as slow for an unknown name as for a wrong password. */
export async function checkPassword(store: Store, name: string, password: string): Promise<User | undefined> {
  const user = await store.users.byName(name);
  const hash = user ? await store.users.passwordHash(user.id) : undefined;
  return (await verifyPassword(password, hash)) ? user : undefined;
}

export type SignIn = { ok: true; user: User; scope: TokenScope; token?: { id: string; expiresAt: string | null } } | { ok: false; reason: string };

/** A user token opens a session with that token's scope; job and deployment tokens open none. */
export async function checkToken(store: Store, token: string): Promise<SignIn> {
  const resolved = await resolveToken(store, token);
  if (!resolved.ok) return resolved;
  const p = resolved.principal;
  if (p.kind !== 'user') return { ok: false, reason: 'only a user token signs in; job and deployment tokens do not' };
  const row = await store.users.tokenById(p.token.id);
  return { ok: true, user: p.user, scope: p.token.scope, token: { id: p.token.id, expiresAt: row?.expires_at ?? null } };
}

export async function openSession(store: Store, signedIn: Extract<SignIn, { ok: true }>, at = Date.now()): Promise<{ row: Session; cookie: string }> {
  let end = at + sessionLimits.maxMs;
  if (signedIn.token?.expiresAt) end = Math.min(end, Date.parse(signedIn.token.expiresAt));
  await store.sessions.deleteStale(new Date(at).toISOString(), new Date(at - sessionLimits.idleMs).toISOString());
  return store.sessions.create({ user_id: signedIn.user.id, scope: signedIn.scope, token_id: signedIn.token?.id ?? null, created_at: new Date(at).toISOString(), expires_at: new Date(end).toISOString() });
}

// last_seen_at is written at most once a minute per session, so a page's requests are not a write each.
const touchEveryMs = 60_000;

/** The principal of a session cookie, or undefined when it names no live session. */
export async function resolveSession(store: Store, cookie: string, at = Date.now()): Promise<Principal | undefined> {
  const row = await store.sessions.byCookie(cookie);
  if (!row) return undefined;
  const user = await store.users.byId(row.user_id);
  if (!user || Date.parse(row.expires_at) <= at || Date.parse(row.last_seen_at) + sessionLimits.idleMs <= at || !(await tokenHolds(store, row, at))) {
    await store.sessions.delete(row.id);
    return undefined;
  }
  if (at - Date.parse(row.last_seen_at) >= touchEveryMs) await store.sessions.touch(row.id, new Date(at).toISOString());
  return { kind: 'user', user, token: { id: row.id, name: 'browser session', scope: row.scope }, session: { id: row.id, csrf: row.csrf } };
}

async function tokenHolds(store: Store, row: Session, at: number): Promise<boolean> {
  if (!row.token_id) return true;
  const token = await store.users.tokenById(row.token_id);
  return token !== undefined && !token.revoked_at && (token.expires_at === null || Date.parse(token.expires_at) > at);
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request the session cookie authenticated must carry the session's CSRF
 * token in X-CSRF-Token (a page on another origin cannot read it). Tokens sent in a header
 * (Bearer, Basic) need none: no browser adds those on its own.
 */
export function checkCsrf(principal: Principal | undefined, method: string, headers: IncomingHttpHeaders): void {
  if (principal?.kind !== 'user' || !principal.session || safeMethods.has(method)) return;
  const sent = headers['x-csrf-token'];
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  const expected = Buffer.from(principal.session.csrf);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  throw new SlipwayError('FORBIDDEN', 'csrf token missing or wrong: send the X-CSRF-Token header GET /api/session returns', {
    detail: { user: principal.user.name, missing: 'X-CSRF-Token' },
  });
}
