// The audit log: security-relevant actions, kept in the database (DESIGN.md "Everything
// security-relevant is audited"). Every part that does such an action calls
// `audit.record(...)` with one of the actions below; `slipway audit` and GET /api/audit read it.
import type { Store } from '../store/store.ts';
import type { AuditEntry } from '../store/repos/audit.ts';

/** Each action and what it means; add yours here (docs/security.md lists them from this table). */
export const auditActions = {
  'auth.failed': 'an authentication failed (address, user name tried, why)',
  'auth.blocked': 'an address was refused for a while after repeated failed authentications',
  'session.create': "a user signed in to the web UI (with a password or a token; the session's scope)",
  'password.set': "a user's password was set (by themself or an admin)",
  'token.create': 'a user created a token (name, scope, expiry)',
  'token.revoke': 'a user revoked a token',
  'deploy.force': 'an admin forced a deployment or rollback past its gate or promotion rule',
  'approval.decide': 'a deployment was approved or rejected',
  'member.add': 'a user got a role on a project',
  'member.remove': 'a user lost their role on a project',
  'role.change': "a user's instance role changed",
  'user.create': 'a user was added',
  'secret.set': 'a secret was set',
  'secret.delete': 'a secret was deleted',
  'protection.change': "a project's branch or environment protection changed",
  'project.visibility': 'a project was made public or private',
  'forge.set': "a project's forge link (webhook secret, clone URL, status token) was set",
  'forge.remove': "a project's forge link was removed",
  'notification.add': 'an outgoing notification webhook was added to a project',
  'notification.remove': 'an outgoing notification webhook was removed',
  'actions.mirror': 'an admin mirrored an action repository into the instance (or updated the mirror)',
  'registry.gc': 'an admin ran registry garbage collection (or a dry run of it)',
  'registry.retention': 'an admin applied release retention to the registry (or a dry run of it)',
  'runner.token.create': 'an admin created a runner registration token',
  'runner.token.revoke': 'an admin revoked a runner registration token',
  'runner.register': 'a runner registered with a registration token (its name and labels)',
  'runner.revoke': "an admin revoked a runner's credential",
  'runner.pause': 'an admin paused a runner: it is given no new job',
  'runner.resume': 'an admin let a paused or draining runner take jobs again',
  'runner.drain': 'an admin drained a runner: it finishes what it holds, takes nothing new, and a remote one exits',
  'runner.remove': "an admin removed a runner: its credential revoked, the jobs it held re-queued",
  'webhook.refused': 'a forge webhook was refused: its signature did not verify (address, header)',
} as const;

export type AuditAction = keyof typeof auditActions;

export interface AuditRecord {
  /** Who did it: a user's name, or a job or deployment token's name (`job:hello/…`); `anonymous` when unknown. */
  actor: string;
  action: AuditAction;
  project?: string;
  /** What it was done to: a token's name, a user, a secret, an environment, an address tried. */
  target?: string;
  /** The client's address, when the action came over HTTP. */
  address?: string;
  detail?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<AuditEntry>;
  list(filter?: { projects?: readonly string[]; action?: string; limit?: number }): Promise<AuditEntry[]>;
}

export function auditLog(store: Store): AuditLog {
  return {
    record: (e) => store.audit.append({ actor: e.actor, action: e.action, project: e.project ?? null, target: e.target ?? null, address: e.address ?? null, detail: e.detail ?? {} }),
    list: (filter) => store.audit.list(filter),
  };
}
