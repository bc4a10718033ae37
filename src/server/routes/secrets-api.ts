// Project secrets under /api/projects/:project/secrets: every job of the project's runs sees
// them as `${{ secrets.NAME }}`. Environment secrets (deploy-api.ts) go to deployments and to
// jobs naming the environment. Values go in, never out: reads list names and times only.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Secrets } from '../../auth/secrets.ts';
import { projectName } from './fields.ts';

const secretBody = { schema: z.strictObject({ value: z.string() }), expected: '{"value": "<secret>"}' };
const projectParams = z.object({ project: projectName });
const secretParams = projectParams.extend({ name: z.string().describe('secret name') });

export function registerSecretsApi(router: Router, { secrets }: { secrets: Secrets }): void {
  const base = '/api/projects/:project/secrets';
  router
    .route({ method: 'GET', path: base, summary: "The names of a project's secrets (never their values)", permission: 'secrets.list', params: projectParams }, async ({ res, params }) =>
      sendJson(res, 200, await secrets.list(params.project, undefined)),
    )
    .route({ method: 'PUT', path: `${base}/:name`, summary: 'Set a project secret (seen by every job as secrets.NAME)', permission: 'secrets.write', audit: 'secret.set', params: secretParams, body: secretBody }, async ({ res, params, body }) => {
      await secrets.set(params.project, undefined, params.name, body.value);
      sendJson(res, 200, { name: params.name });
    })
    .route({ method: 'DELETE', path: `${base}/:name`, summary: 'Remove a project secret', permission: 'secrets.write', audit: 'secret.delete', params: secretParams }, async ({ res, params }) => {
      await secrets.remove(params.project, undefined, params.name);
      sendJson(res, 200, { name: params.name, removed: true });
    });
}
