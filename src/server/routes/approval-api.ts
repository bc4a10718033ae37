// Approving or rejecting a deployment that waits at its environment's gate
// (deploy.yml `approval:`): POST /api/deployments/:id/approvals. The gate itself
// (who may decide, when the deployment proceeds) is src/deploy/approval-gate.ts.
import { z } from 'zod';
import type { Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import { deploymentView, findDeployment } from '../deployment-view.ts';
import { requestUser } from './request-user.ts';

export interface ApprovalApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server. */
  deploys: () => DeployService;
}

const decisionBody = z.strictObject({ decision: z.enum(['approve', 'reject']), reason: z.string().max(2000).optional() });

export function registerApprovalApi(router: Router, deps: ApprovalApiDeps): void {
  const { store } = deps;
  router.on('POST', '/api/deployments/:id/approvals', async ({ req, res, params }) => {
    const body = await readBody(req, decisionBody, '{"decision": "approve"} or {"decision": "reject", "reason": "<why>"}');
    const user = await requestUser(req, store.users);
    const deployment = await findDeployment(store, params.id!);
    const service = deps.deploys();
    await service.gate.decide(deployment.id, user, body.decision, body.reason);
    const now = await store.deployments.require(deployment.id);
    sendJson(res, 200, await deploymentView(store, now, (d) => service.lockView(d), (d) => service.gate.view(d)));
  });
}
