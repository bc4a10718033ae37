// Registering remote runners (issue 13): an admin makes a registration token (shown once),
// a machine trades it for a runner credential of its own name (POST /api/runner/register,
// which only a registration token reaches), and an admin can revoke either.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { signedIn } from '../http/route.ts';
import type { Store } from '../../store/store.ts';
import type { AuditLog } from '../../auth/audit.ts';
import type { RunnerRegistrationToken } from '../../store/repos/runner-credentials.ts';
import { parseTokenLifetime } from '../../auth/token-lifetime.ts';
import { namePattern } from '../../core/ids.ts';
import { SlipwayError } from '../../core/errors.ts';
import { isExpired } from '../../store/repos/users.ts';

/** The built-in runner's names start so; the server interrupts their jobs at a restart (scheduler.recover). */
export const builtinPrefix = 'builtin-';

const view = (r: RunnerRegistrationToken) => ({
  id: r.id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at,
  state: r.revoked_at ? 'revoked' : isExpired(r.expires_at, Date.now()) ? 'expired' : 'active',
});

const registerBody = z.strictObject({ name: z.string().max(64), labels: z.array(z.string().min(1).max(200)).max(100).optional() });

export function registerRunnerRegistrationApi(router: Router, deps: { store: Store; audit: AuditLog }): void {
  const { store, audit } = deps;
  const address = (req: { socket: { remoteAddress?: string } }) => req.socket.remoteAddress;
  router
    .route(
      {
        method: 'POST', path: '/api/runners/registration-tokens', summary: 'Create a runner registration token (shown only this once; default lifetime 1 h)', permission: 'runners.manage',
        body: { schema: z.strictObject({ expiresIn: z.string().optional() }), expected: '{"expiresIn": "1h"}' },
      },
      async ({ req, res, user, body }) => {
        const lifetime = parseTokenLifetime(body.expiresIn ?? '1h');
        if ('error' in lifetime) throw new SlipwayError('BAD_REQUEST', `expiresIn: ${lifetime.error}`);
        const { row, token } = await store.runnerCredentials.createRegistration(signedIn(user).name, new Date(Date.now() + lifetime.ms).toISOString());
        await audit.record({ actor: signedIn(user).name, action: 'runner.token.create', target: row.id, address: address(req), detail: { expiresAt: row.expires_at } });
        sendJson(res, 201, { ...view(row), token });
      },
    )
    .route({ method: 'GET', path: '/api/runners/registration-tokens', summary: 'Runner registration tokens (never their values)', permission: 'runners.manage' }, async ({ res }) => {
      sendJson(res, 200, (await store.runnerCredentials.registrations()).map(view));
    })
    .route(
      { method: 'DELETE', path: '/api/runners/registration-tokens/:id', summary: 'Revoke a runner registration token', permission: 'runners.manage', params: z.object({ id: z.string().max(100).describe('a registration token id (rrt_…)') }) },
      async ({ req, res, user, params }) => {
        if (!(await store.runnerCredentials.revokeRegistration(params.id))) throw new SlipwayError('NOT_FOUND', `no unrevoked registration token ${params.id}`);
        await audit.record({ actor: signedIn(user).name, action: 'runner.token.revoke', target: params.id, address: address(req) });
        sendJson(res, 200, { id: params.id, state: 'revoked' });
      },
    )
    .route(
      { method: 'DELETE', path: '/api/runners/:name/credential', summary: "Revoke a remote runner's credential: it can take and report nothing more", permission: 'runners.manage', params: z.object({ name: z.string().max(64).describe('the runner name') }) },
      async ({ req, res, user, params }) => {
        if ((await store.runnerCredentials.revokeName(params.name)) === 0) throw new SlipwayError('NOT_FOUND', `runner ${params.name} has no live credential`);
        await audit.record({ actor: signedIn(user).name, action: 'runner.revoke', target: params.name, address: address(req) });
        sendJson(res, 200, { name: params.name, state: 'revoked' });
      },
    )
    .route(
      { method: 'POST', path: '/api/runner/register', summary: 'Trade a registration token (the Bearer) for a runner credential of this name (shown only this once)', body: { schema: registerBody, expected: '{"name": "<runner>", "labels": ["<label>"]}' } },
      async ({ req, res, principal, body }) => {
        if (principal?.kind !== 'registration') throw new SlipwayError('FORBIDDEN', 'missing scope register: use a registration token');
        if (!namePattern.test(body.name) || body.name.startsWith(builtinPrefix)) {
          throw new SlipwayError('INVALID_NAME', `invalid runner name "${body.name}": use a-z 0-9 . _ - (at most 64), not starting with ${builtinPrefix}`);
        }
        const { token } = await store.runnerCredentials.create(body.name);
        if (body.labels) await store.runners.seen(body.name, body.labels);
        await audit.record({ actor: `registration:${principal.registration.id}`, action: 'runner.register', target: body.name, address: address(req), detail: { labels: body.labels ?? [], createdBy: principal.registration.createdBy } });
        sendJson(res, 201, { name: body.name, credential: token });
      },
    );
}
