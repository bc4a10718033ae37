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
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof permissions;

/** The project an action is on, for the refusal's message (and per-project roles next). */
interface Scope {
  project?: string;
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

/** A user's role on one project (issue 9); `admin` is the instance admin, who holds every project action. */
type ProjectRoleName = 'admin' | 'maintainer' | 'developer' | 'viewer';

/**
 * Actions on one project, by the project roles that carry them. Pushing to a protected branch
 * is not here: it needs a role the branch's rule names (src/git/push-policy.ts).
 */
export const projectPermissions = {
  'branches.list': { roles: ['admin', 'maintainer', 'developer', 'viewer'], does: 'list protected branches' },
  'branches.protect': { roles: ['admin', 'maintainer'], does: 'protect or unprotect branches' },
} as const satisfies Record<string, { roles: readonly ProjectRoleName[]; does: string }>;

export type ProjectAction = keyof typeof projectPermissions;

/** Returns when `role` (the user's on `project`) carries `action`; FORBIDDEN naming what is missing otherwise. */
export function authorizeOnProject(user: User, role: ProjectRoleName | undefined, action: ProjectAction, project: string): void {
  const p: { roles: readonly ProjectRoleName[]; does: string } = projectPermissions[action];
  if (role && p.roles.includes(role)) return;
  const who = role ? `role ${role}` : `${user.name} has no role and`;
  throw new SlipwayError('FORBIDDEN', `project ${project}: ${who} may not ${p.does}: missing permission ${action}`, {
    detail: { user: user.name, role: role ?? null, permission: action, project },
  });
}
