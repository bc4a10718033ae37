// Release control under /api: manual deploys, promotions, rollbacks (forced past the
// approval gate by an admin), per-environment secrets, and the deployment views with the
// lock a queued deployment waits for and the approvals of a gated one.
import { deploymentView, findDeployment } from '../deployment-view.ts';
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import { releaseControl } from '../../deploy/release-control.ts';
import type { Secrets } from '../../auth/secrets.ts';
import type { Deployment } from '../../store/repos/deployments.ts';
import type { Access } from '../../auth/access.ts';
import { signedIn } from '../http/route.ts';
import { newestVisible } from '../visible.ts';
import { deploymentParams, environmentName, projectName } from './fields.ts';
import type { AuditLog } from '../../auth/audit.ts';
import { checkScope } from '../../auth/token-scope.ts';

interface DeployApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server (it needs the server's port). */
  deploys: () => DeployService;
  secrets: Secrets;
  access: Access;
  /** Forced rollbacks are audited. */
  audit?: AuditLog;
}

const deployBody = {
  schema: z.strictObject({ release: z.string().min(1).optional(), commit: z.string().min(1).optional(), force: z.boolean().optional() }),
  expected: '{"release": "<id>"} or {"commit": "<sha>"}, optionally with "force": true (admins: past promote_from)',
};
const promoteBody = { schema: z.strictObject({ from: z.string().min(1) }), expected: '{"from": "<environment>"}' };
const rollbackBody = {
  schema: z.strictObject({ to: z.string().min(1).optional(), force: z.boolean().optional() }),
  expected: '{} or {"to": "<release>"}, optionally with "force": true (admins)',
};
const secretBody = { schema: z.strictObject({ value: z.string() }), expected: '{"value": "<secret>"}' };
const deploymentsQuery = z.object({ project: projectName.optional(), env: environmentName.optional() });
const envParams = z.object({ project: projectName, env: environmentName });
const secretParams = envParams.extend({ name: z.string().describe('secret name') });

export function registerDeployApi(router: Router, deps: DeployApiDeps): void {
  const { store, secrets } = deps;
  const control = () => releaseControl(store, deps.deploys());
  const viewOf = (d: Deployment) => deploymentView(store, d, (x) => deps.deploys().lockView(x), (x) => deps.deploys().gate.view(x));
  // Read afresh, also after a POST: the service may have started the deployment already.
  const view = async (id: string) => viewOf(await store.deployments.require(id));

  const envPath = '/api/projects/:project/environments/:env';
  router
    .route({ method: 'GET', path: '/api/deployments', summary: 'List deployments, newest first (without ?project, of every project the caller may read)', permission: 'deployments.read', query: deploymentsQuery }, async ({ res, query, user }) => {
      const project = query.project ? await store.projects.require(query.project) : undefined;
      const list = project
        ? await store.deployments.list({ projectId: project.id, environment: query.env })
        : await newestVisible(deps.access, user, 'deployments.read', 50, (projectId) => store.deployments.list({ projectId, environment: query.env }));
      sendJson(res, 200, await Promise.all(list.map((d) => deploymentView(store, d, undefined, (x) => deps.deploys().gate.view(x)))));
    })
    .route(
      { method: 'GET', path: '/api/deployments/:id', summary: 'A deployment: release, outcome per host, the lock it waits for, its approvals', permission: 'deployments.read', params: deploymentParams },
      async ({ res, params }) => sendJson(res, 200, await viewOf(await findDeployment(store, params.id))),
    )
    .route(
      { method: 'POST', path: `${envPath}/deployments`, summary: 'Deploy a release (by id or by commit) to an environment', permission: 'deploy.run', params: envParams, body: deployBody },
      async ({ res, params, body, user }) => sendJson(res, 202, await view((await control().deploy(params.project, params.env, body, signedIn(user), { force: body.force })).id)),
    )
    .route(
      { method: 'POST', path: `${envPath}/promotions`, summary: 'Promote the release another environment runs to this one', permission: 'deploy.run', params: envParams, body: promoteBody },
      async ({ res, params, body, user }) => sendJson(res, 202, await view((await control().promote(params.project, body.from, params.env, signedIn(user).name)).id)),
    )
    .route(
      { method: 'POST', path: `${envPath}/rollbacks`, summary: 'Roll back to the previous or a given release; with force, past the approval gate (deploy.force)', permission: 'deploy.run', params: envParams, body: rollbackBody },
      async ({ req, res, params, body, user, principal }) => {
        // Forcing is an admin's act: the token must carry the admin scope too, and it is audited.
        if (body.force && principal) checkScope(principal, { kind: 'api', method: 'POST', route: `${envPath}/rollbacks`, params, permission: 'deploy.force' });
        const d = await control().rollback(params.project, params.env, body.to, signedIn(user), { force: body.force });
        if (body.force) {
          await deps.audit?.record({ actor: signedIn(user).name, action: 'deploy.force', project: params.project, target: params.env, address: req.socket.remoteAddress, detail: { deployment: d.id, kind: 'rollback', to: body.to ?? null } });
        }
        sendJson(res, 202, await view(d.id));
      },
    )
    .route(
      { method: 'GET', path: `${envPath}/secrets`, summary: "The names of an environment's secrets (never their values)", permission: 'secrets.list', params: envParams },
      async ({ res, params }) => sendJson(res, 200, await secrets.list(params.project, params.env)),
    )
    .route({ method: 'PUT', path: `${envPath}/secrets/:name`, summary: 'Set a secret of an environment', permission: 'secrets.write', audit: 'secret.set', params: secretParams, body: secretBody }, async ({ res, params, body }) => {
      await secrets.set(params.project, params.env, params.name, body.value);
      sendJson(res, 200, { name: params.name });
    })
    .route({ method: 'DELETE', path: `${envPath}/secrets/:name`, summary: 'Remove a secret of an environment', permission: 'secrets.write', audit: 'secret.delete', params: secretParams }, async ({ res, params }) => {
      await secrets.remove(params.project, params.env, params.name);
      sendJson(res, 200, { name: params.name, removed: true });
    });
}
