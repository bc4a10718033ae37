// The audit log over HTTP: everything for admins; a project's entries for whoever may read
// that project's audit (audit.read on the project: its maintainers, once roles are per project).
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { AuditLog } from '../../auth/audit.ts';

const auditQuery = z.object({
  project: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  limit: z.string().regex(/^\d{1,4}$/, 'expected a number of entries, at most 9999').transform(Number).optional(),
});

export function registerAuditApi(router: Router, deps: { audit: AuditLog }): void {
  router.route(
    { method: 'GET', path: '/api/audit', summary: 'Security-relevant actions, newest first (admins; ?project= for one project)', permission: 'audit.read', query: auditQuery },
    async ({ res, query }) => {
      const entries = await deps.audit.list({ ...(query.project ? { projects: [query.project] } : {}), action: query.action, limit: query.limit });
      sendJson(res, 200, entries);
    },
  );
}
