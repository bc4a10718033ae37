// Release control under /api: manual deploys, promotions, rollbacks (forced past the
// approval gate by an admin), per-environment secrets, and the deployment views with the
// lock a queued deployment waits for and the approvals of a gated one.
import { deploymentView, findDeployment } from '../deployment-view.ts';
import { z } from 'zod';
import type { Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import { releaseControl } from '../../deploy/release-control.ts';
import type { Secrets } from '../../auth/secrets.ts';
import type { Deployment } from '../../store/repos/deployments.ts';
import { requestUser } from './request-user.ts';

export interface DeployApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server (it needs the server's port). */
  deploys: () => DeployService;
  secrets: Secrets;
}

const deployBody = z.strictObject({ release: z.string().min(1).optional(), commit: z.string().min(1).optional() });
const promoteBody = z.strictObject({ from: z.string().min(1) });
const rollbackBody = z.strictObject({ to: z.string().min(1).optional(), force: z.boolean().optional() });
const secretBody = z.strictObject({ value: z.string() });

export function registerDeployApi(router: Router, deps: DeployApiDeps): void {
  const { store, secrets } = deps;
  const control = () => releaseControl(store, deps.deploys());
  const viewOf = (d: Deployment) => deploymentView(store, d, (x) => deps.deploys().lockView(x), (x) => deps.deploys().gate.view(x));
  // Read afresh, also after a POST: the service may have started the deployment already.
  const view = async (id: string) => viewOf(await store.deployments.require(id));
  /** The token's user's name: deployments record who asked for them. */
  const userOf = async (req: Parameters<typeof requestUser>[0]) => (await requestUser(req, store.users)).name;

  const envPath = '/api/projects/:project/environments/:env';
  router
    .on('GET', '/api/deployments', async ({ res, url }) => {
      const projectName = url.searchParams.get('project');
      const project = projectName ? await store.projects.require(projectName) : undefined;
      const list = await store.deployments.list({ projectId: project?.id, environment: url.searchParams.get('env') ?? undefined });
      sendJson(res, 200, await Promise.all(list.map((d) => deploymentView(store, d, undefined, (x) => deps.deploys().gate.view(x)))));
    })
    .on('GET', '/api/deployments/:id', async ({ res, params }) => sendJson(res, 200, await viewOf(await findDeployment(store, params.id!))))
    .on('POST', `${envPath}/deployments`, async ({ req, res, params }) => {
      const b = await readBody(req, deployBody, '{"release": "<id>"} or {"commit": "<sha>"}');
      const d = await control().deploy(params.project!, params.env!, b, await userOf(req));
      sendJson(res, 202, await view(d.id));
    })
    .on('POST', `${envPath}/promotions`, async ({ req, res, params }) => {
      const b = await readBody(req, promoteBody, '{"from": "<environment>"}');
      const d = await control().promote(params.project!, b.from, params.env!, await userOf(req));
      sendJson(res, 202, await view(d.id));
    })
    .on('POST', `${envPath}/rollbacks`, async ({ req, res, params }) => {
      const b = await readBody(req, rollbackBody, '{} or {"to": "<release>"}, optionally with "force": true (admins)');
      const d = await control().rollback(params.project!, params.env!, b.to, await requestUser(req, store.users), { force: b.force });
      sendJson(res, 202, await view(d.id));
    })
    .on('GET', `${envPath}/secrets`, async ({ res, params }) => {
      sendJson(res, 200, await secrets.list(params.project!, params.env!));
    })
    .on('PUT', `${envPath}/secrets/:name`, async ({ req, res, params }) => {
      const b = await readBody(req, secretBody, '{"value": "<secret>"}');
      await secrets.set(params.project!, params.env!, params.name!, b.value);
      sendJson(res, 200, { name: params.name });
    })
    .on('DELETE', `${envPath}/secrets/:name`, async ({ res, params }) => {
      await secrets.remove(params.project!, params.env!, params.name!);
      sendJson(res, 200, { name: params.name, removed: true });
    });
}
