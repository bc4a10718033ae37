// Release control under /api: manual deploys, promotions, rollbacks, per-environment
// secrets, and the deployment view with the lock a queued deployment waits for.
// Registered before registerApi, so its GET /api/deployments/:id (with `lock`) is the one served.
import { deploymentView } from '../deployment-view.ts';
import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import type { Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/deploy-service.ts';
import { releaseControl } from '../../deploy/release-control.ts';
import type { Secrets } from '../../auth/secrets.ts';
import { authenticate } from '../../auth/authenticate.ts';
import { SlipwayError } from '../../core/errors.ts';

export interface DeployApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server (it needs the server's port). */
  deploys: () => DeployService;
  secrets: Secrets;
}

const deployBody = z.strictObject({ release: z.string().min(1).optional(), commit: z.string().min(1).optional() });
const promoteBody = z.strictObject({ from: z.string().min(1) });
const rollbackBody = z.strictObject({ to: z.string().min(1).optional() });
const secretBody = z.strictObject({ value: z.string() });

export function registerDeployApi(router: Router, deps: DeployApiDeps): void {
  const { store, secrets } = deps;
  const control = () => releaseControl(store, deps.deploys());
  // Read afresh, also after a POST: the service may have started the deployment already.
  const view = async (id: string) => deploymentView(store, await store.deployments.require(id), (d) => deps.deploys().lockView(d));

  /** The token's user: deployments record who asked for them. */
  async function userOf(req: IncomingMessage): Promise<string> {
    const user = await authenticate(req.headers, store.users);
    if (!user) throw new SlipwayError('UNAUTHORIZED');
    return user.name;
  }

  const envPath = '/api/projects/:project/environments/:env';
  router
    .on('GET', '/api/deployments/:id', async ({ res, params }) => sendJson(res, 200, await view(params.id!)))
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
      const b = await readBody(req, rollbackBody, '{} or {"to": "<release>"}');
      const d = await control().rollback(params.project!, params.env!, b.to, await userOf(req));
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
