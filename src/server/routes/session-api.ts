// Signing in to the web UI (docs/security.md "Sessions"): POST /api/session with a user name
// and password, or a user token, opens a session and sets its cookie; GET says who the
// cookie is and returns the session's CSRF token; DELETE signs out. A wrong password counts
// as a failed authentication: audited, and the failed-auth limiter's 429 applies.
import { z } from 'zod';
import type { ServerResponse } from 'node:http';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { User } from '../../store/repos/users.ts';
import type { AuditLog } from '../../auth/audit.ts';
import type { FailedAuthLimiter } from '../http/failed-auth-limiter.ts';
import { checkPassword, checkToken, openSession, sessionCookieHeader, sessionLimits, type SignIn } from '../../auth/sessions.ts';
import { passwordLimits } from '../../auth/passwords.ts';
import { isSecureRequest } from '../http/secure-request.ts';
import { SlipwayError } from '../../core/errors.ts';
import { signedIn } from '../http/route.ts';

const signInBody = {
  schema: z.union([
    z.strictObject({ user: z.string().min(1).max(100), password: z.string().min(1).max(passwordLimits.max) }),
    z.strictObject({ token: z.string().min(1).max(200) }),
  ]),
  expected: '{"user": "<name>", "password": "<password>"} or {"token": "<token>"}',
};

const sessionView = (user: User, csrf: string | null) => ({ user: { name: user.name, role: user.role }, csrf });

export function registerSessionApi(router: Router, deps: { store: Store; audit: AuditLog; limiter: FailedAuthLimiter; log: (m: string) => void }): void {
  const { store, audit, limiter } = deps;

  async function refuse(res: ServerResponse, address: string, tried: string | undefined, reason: string): Promise<never> {
    const blocked = limiter.failed(address);
    await audit
      .record({ actor: tried ?? 'anonymous', action: blocked ? 'auth.blocked' : 'auth.failed', target: tried, address, detail: { reason, request: 'POST /api/session', ...(blocked ? { retryAfterSeconds: blocked } : {}) } })
      .catch((err: unknown) => deps.log(`audit: recording a failed sign-in from ${address}: ${(err as Error).message}`));
    if (blocked) {
      res.setHeader('retry-after', String(blocked));
      throw new SlipwayError('TOO_MANY_REQUESTS', `too many failed authentications from this address: retry in ${blocked} s`);
    }
    throw new SlipwayError('UNAUTHORIZED', `sign-in failed: ${reason}`);
  }

  router
    .route(
      { method: 'POST', path: '/api/session', summary: 'Sign in (user name and password, or a token): sets the session cookie and returns its CSRF token', permission: 'session.create', body: signInBody },
      async ({ req, res, body }) => {
        const address = req.socket.remoteAddress ?? 'unknown';
        let result: SignIn;
        if ('token' in body) {
          result = await checkToken(store, body.token);
        } else {
          const user = await checkPassword(store, body.user, body.password);
          // One message for an unknown name and a wrong password: the answer does not tell which names exist.
          result = user ? { ok: true, user, scope: 'admin' } : { ok: false, reason: 'wrong user name or password' };
        }
        if (!result.ok) return refuse(res, address, 'user' in body ? body.user : undefined, result.reason);
        const { row, cookie } = await openSession(store, result);
        const maxAge = (Date.parse(row.expires_at) - Date.parse(row.created_at)) / 1000;
        res.setHeader('set-cookie', sessionCookieHeader(cookie, isSecureRequest(req), Math.min(maxAge, sessionLimits.maxMs / 1000)));
        await audit.record({ actor: result.user.name, action: 'session.create', target: row.id, address, detail: { via: 'token' in body ? 'token' : 'password', scope: row.scope, expiresAt: row.expires_at } });
        sendJson(res, 200, sessionView(result.user, row.csrf));
      },
    )
    .route({ method: 'GET', path: '/api/session', summary: 'Who is signed in, and the session\'s CSRF token (null when a token authenticates the request)' }, ({ res, user, principal }) => {
      const session = principal?.kind === 'user' ? principal.session : undefined;
      sendJson(res, 200, sessionView(signedIn(user), session?.csrf ?? null));
    })
    .route({ method: 'DELETE', path: '/api/session', summary: 'Sign out: ends the session and clears its cookie' }, async ({ req, res, principal }) => {
      const session = principal?.kind === 'user' ? principal.session : undefined;
      if (!session) throw new SlipwayError('BAD_REQUEST', 'this request carries no session cookie: a token is revoked with DELETE /api/tokens/:token instead');
      await store.sessions.delete(session.id);
      res.writeHead(204, { 'set-cookie': sessionCookieHeader(undefined, isSecureRequest(req)) });
      res.end();
    });
}
