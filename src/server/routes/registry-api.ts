// Registry maintenance (admins): garbage collection and release retention on demand, with
// a dry run that reports what would go (server/registry-maintenance.ts).
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { RegistryMaintenance } from '../registry-maintenance.ts';

const dryRunBody = { schema: z.strictObject({ dryRun: z.boolean().optional() }), expected: '{"dryRun": true | false}' };

export function registerRegistryApi(router: Router, deps: { maintenance: () => RegistryMaintenance }): void {
  router
    .route(
      { method: 'POST', path: '/api/registry/gc', summary: 'Garbage-collect the registry: blobs and manifests nothing references (admins)', permission: 'registry.gc', audit: 'registry.gc', body: dryRunBody },
      async ({ res, body }) => sendJson(res, 200, await deps.maintenance().gc({ dryRun: body.dryRun ?? false })),
    )
    .route(
      { method: 'POST', path: '/api/registry/retention', summary: "Untag the releases retention doesn't keep; a dry run lists them (admins)", permission: 'registry.gc', audit: 'registry.retention', body: dryRunBody },
      async ({ res, body }) => sendJson(res, 200, await deps.maintenance().retention({ dryRun: body.dryRun ?? false })),
    );
}
