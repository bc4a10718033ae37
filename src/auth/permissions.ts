// Who may do what: one table from each action to the roles allowed it, and one check that
// every route and service calls. A refusal names the user, their role and the permission
// they lack (DESIGN.md "Who may do what"). Per-project roles extend this table.
import type { User } from '../store/repos/users.ts';
import { SlipwayError } from '../core/errors.ts';

type Role = User['role'];

interface Permission {
  roles: readonly Role[];
  /** Completes "only an admin may …" in a refusal. */
  does: string;
  /** What the refused user can do instead, when there is something. */
  instead?: string;
}

export const permissions = {
  'users.list': { roles: ['admin'], does: 'list users' },
  'users.create': { roles: ['admin'], does: 'add users' },
  'hosts.forget': { roles: ['admin'], does: 'forget a host key' },
  'deploy.approve': { roles: ['admin', 'member'], does: 'approve or reject a deployment' },
  'deploy.force': { roles: ['admin'], does: 'force a rollback past the approval gate', instead: 'roll back without force and get it approved' },
  'deploy.force_promotion': { roles: ['admin'], does: 'deploy a release that has not succeeded in the environment promote_from names', instead: 'deploy it there first, then promote it' },
  // Per project: the project's maintainers (per-project roles replace `admin` here).
  'environments.protect': { roles: ['admin'], does: "set or remove an environment's protection rules" },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof permissions;

/** The project an action is on, for the refusal's message (and per-project roles next). */
interface Scope {
  project?: string;
  environment?: string;
}

/** Returns when `user`'s role carries `action`; FORBIDDEN otherwise. */
export function authorize(user: User, action: Action, scope: Scope = {}): void {
  const p: Permission = permissions[action];
  if (p.roles.includes(user.role)) return;
  const who = p.roles.map((r) => `${/^[aeiou]/.test(r) ? 'an' : 'a'} ${r}`).join(' or ');
  const on = scope.project ? ` on project ${scope.project}` : '';
  throw new SlipwayError('FORBIDDEN', `only ${who} may ${p.does} (${user.name} has role ${user.role}): missing permission ${action}${on}${p.instead ? `; ${p.instead}` : ''}`, {
    detail: { user: user.name, role: user.role, permission: action, ...scope },
  });
}
