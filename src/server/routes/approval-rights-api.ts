// Whether the caller may approve or reject a waiting deployment, asked before trying
// (the web UI shows Approve / Reject only to those the gate would let decide; a CLI can
// ask too). The answer is the gate's own refusal message, or null where it would accept,
// with the decisions so far and how far the gate got.
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { signedIn } from '../http/route.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import { findDeployment } from '../deployment-view.ts';
import { deploymentParams } from './fields.ts';

export function registerApprovalRightsApi(router: Router, deps: { store: Store; deploys: () => DeployService }): void {
  router.route(
    {
      method: 'GET',
      path: '/api/deployments/:id/approval-rights',
      summary: "Whether the caller may approve and may reject this deployment now (null, or the gate's refusal), with its decisions so far",
      permission: 'deployments.read',
      params: deploymentParams,
    },
    async ({ res, params, user }) => {
      const d = await findDeployment(deps.store, params.id);
      const { gate } = deps.deploys();
      sendJson(res, 200, { deployment: d.id, ...(await gate.rightsOf(d.id, signedIn(user))), ...(await gate.view(d)) });
    },
  );
}
