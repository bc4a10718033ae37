// Who is calling: HTTP Basic (any user name, the token as password — what git, podman and
// skopeo send) or `Authorization: Bearer <token>`, or, where the front door allows it (the
// API), the browser's session cookie. No credentials is anonymous; a token that does not
// hold is refused with the reason (unknown, revoked, expired, job ended). A cookie naming
// no live session (signed out, expired) is anonymous too, not a failed sign-in: browsers
// keep sending old cookies, and the sign-in page must still be reachable.
import type { IncomingHttpHeaders } from 'node:http';
import type { Store } from '../store/store.ts';
import type { Principal } from './principal.ts';
import { resolveToken } from './tokens.ts';
import { resolveSession, sessionCookie } from './sessions.ts';

interface Credentials {
  token: string;
  /** The Basic user name, when one was sent: what the audit log records as "name tried". */
  userName?: string;
}

function credentialsFromHeaders(headers: IncomingHttpHeaders): Credentials | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim() ? { token: value.trim() } : undefined;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const userName = decoded.slice(0, colon);
    const token = decoded.slice(colon + 1);
    // Clients without credentials (skopeo --no-creds) answer the challenge with an empty
    // password: that is an anonymous caller, not a failed sign-in.
    if (token === '') return undefined;
    return { token, ...(userName ? { userName } : {}) };
  }
  return undefined;
}

export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  return credentialsFromHeaders(headers)?.token;
}

export type Authentication =
  /** `endedSession`: a session cookie came that no longer holds (the answer clears it). */
  | { kind: 'anonymous'; endedSession?: true }
  | { kind: 'authenticated'; principal: Principal }
  | { kind: 'refused'; reason: string; userName?: string };

/** `cookie`: whether a session cookie may authenticate; an Authorization header wins over it. */
export async function authenticate(headers: IncomingHttpHeaders, store: Store, options: { cookie?: boolean } = {}): Promise<Authentication> {
  const credentials = credentialsFromHeaders(headers);
  if (!credentials) {
    const cookie = options.cookie ? sessionCookie(headers) : undefined;
    if (!cookie) return { kind: 'anonymous' };
    const principal = await resolveSession(store, cookie);
    return principal ? { kind: 'authenticated', principal } : { kind: 'anonymous', endedSession: true };
  }
  const resolved = await resolveToken(store, credentials.token);
  if (resolved.ok) return { kind: 'authenticated', principal: resolved.principal };
  return { kind: 'refused', reason: resolved.reason, ...(credentials.userName ? { userName: credentials.userName } : {}) };
}
