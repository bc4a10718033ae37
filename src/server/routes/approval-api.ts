// Approving or rejecting a deployment that waits at its environment's gate
// (deploy.yml `approval:`): POST /api/deployments/:id/approvals. The gate itself
// (who may decide, when the deployment proceeds) is src/deploy/gate/approval-gate.ts.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import { deploymentView, findDeployment } from '../deployment-view.ts';
import { deploymentParams } from './fields.ts';
import { signedIn } from '../http/route.ts';

interface ApprovalApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server. */
  deploys: () => DeployService;
}

const decisionBody = {
  schema: z.strictObject({ decision: z.enum(['approve', 'reject']), reason: z.string().max(2000).optional() }),
  expected: '{"decision": "approve"} or {"decision": "reject", "reason": "<why>"}',
};

export function registerApprovalApi(router: Router, deps: ApprovalApiDeps): void {
  const { store } = deps;
  router.route(
    { method: 'POST', path: '/api/deployments/:id/approvals', summary: 'Approve or reject a deployment waiting at its gate (deployments.approve, then the gate\'s approver rule)', permission: 'deployments.approve', audit: 'approval.decide', params: deploymentParams, body: decisionBody },
    async ({ res, params, body, user }) => {
      const deployment = await findDeployment(store, params.id);
      const service = deps.deploys();
      await service.gate.decide(deployment.id, signedIn(user), body.decision, body.reason);
      const now = await store.deployments.require(deployment.id);
      sendJson(res, 200, await deploymentView(store, now, (d) => service.lockView(d), (d) => service.gate.view(d)));
    },
  );
}
