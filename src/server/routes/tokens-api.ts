// A user's own tokens: list, create (named, with a scope and an optional lifetime; the
// token is shown once, the store keeps a hash) and revoke. Creating and revoking need an
// admin-scoped token (token-scope.ts), so a leaked read or write token cannot mint more.
import { z } from 'zod';
import { signedIn } from '../http/route.ts';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { Token } from '../../store/repos/users.ts';
import { isExpired } from '../../store/repos/users.ts';
import type { AuditLog } from '../../auth/audit.ts';
import { parseTokenLifetime } from '../../auth/token-lifetime.ts';
import { tokenScopes } from '../../auth/principal.ts';
import { SlipwayError } from '../../core/errors.ts';

const tokenName = /^[A-Za-z0-9](?:[A-Za-z0-9._ -]{0,62}[A-Za-z0-9])?$/;
const createTokenBody = {
  schema: z.strictObject({
    name: z.string().regex(tokenName, 'letters, digits, ".", "_", "-" and spaces (1–64, starting and ending with a letter or digit)'),
    scope: z.enum(tokenScopes).optional(),
    expiresIn: z.string().optional(),
  }),
  expected: '{"name": "<token>", "scope": "read" | "write" | "admin", "expiresIn": "30d"}',
};

function state(t: Token): 'active' | 'revoked' | 'expired' {
  if (t.revoked_at) return 'revoked';
  return isExpired(t.expires_at) ? 'expired' : 'active';
}

const tokenView = (t: Token) => ({
  id: t.id, name: t.name, scope: t.scope, state: state(t),
  createdAt: t.created_at, expiresAt: t.expires_at, revokedAt: t.revoked_at, lastUsedAt: t.last_used_at,
});

export function registerTokensApi(router: Router, deps: { store: Store; audit: AuditLog }): void {
  const { store, audit } = deps;
  const address = (req: { socket: { remoteAddress?: string } }) => req.socket.remoteAddress;
  router
    .route({ method: 'GET', path: '/api/tokens', summary: "The caller's tokens (never their values)" }, async ({ res, user }) => {
      sendJson(res, 200, (await store.users.listTokens(signedIn(user).id)).map(tokenView));
    })
    .route(
      { method: 'POST', path: '/api/tokens', summary: 'Create a token for the caller; its value is shown only this once (tokens.manage)', permission: 'tokens.manage', body: createTokenBody },
      async ({ req, res, user: caller, body }) => {
        const user = signedIn(caller);
        let expiresAt: string | undefined;
        if (body.expiresIn !== undefined) {
          const lifetime = parseTokenLifetime(body.expiresIn);
          if ('error' in lifetime) throw new SlipwayError('BAD_REQUEST', `expiresIn: ${lifetime.error}`);
          expiresAt = new Date(Date.now() + lifetime.ms).toISOString();
        }
        const existing = await store.users.findTokens(user.id, body.name);
        if (existing.some((t) => state(t) === 'active')) throw new SlipwayError('CONFLICT', `you already have an active token named "${body.name}": revoke it first or pick another name`);
        const scope = body.scope ?? 'write';
        const { row, token } = await store.users.issueToken(user.id, body.name, { scope, expiresAt });
        await audit.record({ actor: user.name, action: 'token.create', target: body.name, address: address(req), detail: { id: row.id, scope, expiresAt: expiresAt ?? null } });
        sendJson(res, 201, { ...tokenView(row), token });
      },
    )
    .route(
      { method: 'DELETE', path: '/api/tokens/:token', summary: 'Revoke one of the caller\'s tokens, by id or name (tokens.manage)', permission: 'tokens.manage', params: z.object({ token: z.string().min(1).describe('token id or name') }) },
      async ({ req, res, user: caller, params }) => {
        const user = signedIn(caller);
        const found = (await store.users.findTokens(user.id, params.token)).filter((t) => !t.revoked_at);
        if (found.length === 0) throw new SlipwayError('NOT_FOUND', `you have no unrevoked token with id or name "${params.token}"`);
        for (const t of found) {
          await store.users.revokeToken(t.id);
          await audit.record({ actor: user.name, action: 'token.revoke', target: t.name, address: address(req), detail: { id: t.id } });
        }
        const after = await store.users.listTokens(user.id);
        sendJson(res, 200, after.filter((t) => found.some((f) => f.id === t.id)).map(tokenView));
      },
    );
}
