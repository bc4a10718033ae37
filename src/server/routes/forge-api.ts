// Code hosted elsewhere: the forge webhook a project receives (signed, no token), the
// project's forge link (maintainers), its outgoing notification webhooks and the log of
// what was sent out. Secrets go in, never out.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { readRawBody } from '../http/raw-body.ts';
import { projectName } from './fields.ts';
import { signedIn } from '../http/route.ts';
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import type { AuditLog } from '../../auth/audit.ts';
import type { Store } from '../../store/store.ts';
import { forgeKinds } from '../../triggers/forge/forge-kind.ts';
import type { ForgeLinks } from '../../triggers/forge/forge-links.ts';
import { webhookBodyLimit, type ForgeWebhooks } from '../../triggers/forge/webhook.ts';
import { hookKinds, type NotificationHooks } from '../../notify/notification-hooks.ts';

export interface ForgeApiDeps {
  store: Store;
  links: ForgeLinks;
  webhooks: ForgeWebhooks;
  hooks: NotificationHooks;
  audit: AuditLog;
}

const projectParams = z.object({ project: projectName });
const hookParams = projectParams.extend({ id: z.string().describe('notification webhook id (hook_…)') });
const forgeBody = {
  schema: z.strictObject({ kind: z.enum(forgeKinds), url: z.string(), secret: z.string(), token: z.string().min(1).optional(), apiUrl: z.string().optional() }),
  expected: '{"kind": "github|gitlab|gitea", "url": "<clone URL>", "secret": "<webhook secret>", "token"?: "<API token>", "apiUrl"?: "<API base>"}',
};
const hookBody = { schema: z.strictObject({ kind: z.enum(hookKinds), url: z.string(), secret: z.string() }), expected: '{"kind": "json|slack", "url": "<https URL>", "secret": "<signing secret>"}' };

export function registerForgeApi(router: Router, deps: ForgeApiDeps): void {
  const { links, webhooks, hooks, store } = deps;
  router
    .route(
      { method: 'POST', path: '/api/webhooks/:project', summary: "A forge's webhook (GitHub, GitLab, Gitea/Forgejo): push and tag events mirror the commit and start runs", authenticatedBy: 'signature', params: projectParams },
      async ({ req, res, params }) => {
        await webhooks.linkOf(params.project);
        const body = await readRawBody(req, webhookBodyLimit);
        try {
          const r = await webhooks.receive(params.project, req.headers, body);
          sendJson(res, r.status, r.body);
        } catch (err) {
          if (isSlipwayError(err, 'SIGNATURE_INVALID')) {
            await deps.audit.record({ actor: 'anonymous', action: 'webhook.refused', project: params.project, address: req.socket.remoteAddress, detail: { reason: err.message } });
          }
          throw err;
        }
      },
    )
    .route({ method: 'GET', path: '/api/projects/:project/forge', summary: "The project's forge link (never its secret or token)", permission: 'project.settings', params: projectParams }, async ({ res, params }) => {
      const view = await links.view(params.project);
      if (!view) throw new SlipwayError('NOT_FOUND', `project ${params.project} has no forge link: slipway forge set ${params.project} --kind … --url … --secret-file …`);
      sendJson(res, 200, view);
    })
    .route({ method: 'PUT', path: '/api/projects/:project/forge', summary: 'Link the project to the forge it mirrors: webhook secret, clone URL, optional status token', permission: 'project.settings', audit: 'forge.set', params: projectParams, body: forgeBody }, async ({ res, params, body, user }) => {
      sendJson(res, 200, await links.set(params.project, body, signedIn(user).name));
    })
    .route({ method: 'DELETE', path: '/api/projects/:project/forge', summary: "Remove the project's forge link", permission: 'project.settings', audit: 'forge.remove', params: projectParams }, async ({ res, params }) => {
      await links.remove(params.project);
      sendJson(res, 200, { project: params.project, removed: true });
    })
    .route({ method: 'GET', path: '/api/projects/:project/notifications', summary: "The project's outgoing notification webhooks (origins only)", permission: 'project.settings', params: projectParams }, async ({ res, params }) => {
      sendJson(res, 200, await hooks.list(params.project));
    })
    .route({ method: 'POST', path: '/api/projects/:project/notifications', summary: 'Add an outgoing notification webhook (generic JSON or Slack-compatible) for run and deployment outcomes', permission: 'project.settings', audit: 'notification.add', params: projectParams, body: hookBody }, async ({ res, params, body, user }) => {
      sendJson(res, 201, await hooks.add(params.project, body, signedIn(user).name));
    })
    .route({ method: 'DELETE', path: '/api/projects/:project/notifications/:id', summary: 'Remove an outgoing notification webhook', permission: 'project.settings', audit: 'notification.remove', params: hookParams }, async ({ res, params }) => {
      await hooks.remove(params.project, params.id);
      sendJson(res, 200, { id: params.id, removed: true });
    })
    .route({ method: 'GET', path: '/api/projects/:project/deliveries', summary: 'What was sent out for the project (commit statuses, notifications), newest first, with each outcome', permission: 'project.settings', params: projectParams }, async ({ res, params }) => {
      const p = await store.projects.require(params.project);
      const rows = await store.notifications.deliveries(p.id);
      sendJson(res, 200, rows.map((d) => ({ id: d.id, target: d.target, url: d.url, subject: d.subject, state: d.state, status: d.status, attempts: d.attempts, responseCode: d.response_code, error: d.error, createdAt: d.created_at, updatedAt: d.updated_at })));
    });
}
