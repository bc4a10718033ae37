// docs.github.com "Reusing workflows" §Access and permissions: "The GITHUB_TOKEN
// permissions passed from the caller workflow can be only downgraded (not elevated) by the
// called workflow." A called workflow (at its top or in any job) asking for more than the
// calling job grants is an error that names the permission. When neither the calling job
// nor its workflow sets `permissions`, the repository's default applies, which the file
// does not say, so nothing is checked.
import type { JobSpec, Workflow } from '../model.ts';
import { permissionScopes } from '../parse/parse-concurrency.ts';

type Permissions = string | Record<string, string>;
const rank: Record<string, number> = { none: 0, read: 1, write: 2 };

/** A scope's level under `permissions` as written (`read-all`, `write-all`, or a mapping where absent scopes are `none`). */
export function levelOf(permissions: Permissions, scope: string): string {
  const levels = permissionScopes[scope] ?? ['read', 'write', 'none'];
  const best = (wanted: string[]): string => wanted.find((l) => levels.includes(l)) ?? 'none';
  if (permissions === 'write-all') return best(['write', 'read']);
  if (permissions === 'read-all') return best(['read']);
  return typeof permissions === 'string' ? 'none' : (permissions[scope] ?? 'none');
}

/** What the calling job's token carries: its own `permissions`, its workflow's, or what its caller passed down. */
export function callerPermissions(job: JobSpec, workflow: Workflow, inherited?: Permissions): Permissions | undefined {
  return job.permissions ?? workflow.permissions ?? inherited;
}

/** One message per scope the called workflow raises above `granted`. */
export function elevations(granted: Permissions, callee: Workflow): string[] {
  const asked: { where: string; permissions: Permissions }[] = [];
  if (callee.permissions !== undefined) asked.push({ where: `\`${callee.file}\``, permissions: callee.permissions });
  for (const job of callee.jobs) {
    if (job.permissions !== undefined) asked.push({ where: `job \`${job.id}\` of \`${callee.file}\``, permissions: job.permissions });
  }
  const out: string[] = [];
  for (const { where, permissions } of asked) {
    for (const scope of Object.keys(permissionScopes)) {
      const want = levelOf(permissions, scope);
      const have = levelOf(granted, scope);
      if ((rank[want] ?? 0) <= (rank[have] ?? 0)) continue;
      out.push(`${where} asks for \`${scope}: ${want}\` but the calling job grants \`${scope}: ${have}\`; a called workflow can only keep or lower the caller's permissions`);
    }
  }
  return out;
}
