// Who may do what: one table from each action to who is allowed it, and one check
// (`authorize`) that every route, git service and registry action calls. Instance actions
// need the instance role `admin` (or any signed-in user); project actions need a role in
// the project the request names, and some are open to anyone when the project is public.
// A refusal names the project, the caller's role there and the permission they lack
// (DESIGN.md "Who may do what"); an anonymous caller is told to authenticate (401).
import type { User } from '../store/repos/users.ts';
import { SlipwayError } from '../core/errors.ts';
import { atLeast, type ProjectRole } from './roles.ts';

type InstanceRole = User['role'];

/** What a token scope (`read`, `write`, `admin`) must cover for the action. */
type Level = 'read' | 'write' | 'admin';

interface InstancePermission {
  /** Instance roles allowed; `user` = any signed-in user, `anyone` = anonymous callers too. */
  instance: readonly (InstanceRole | 'user' | 'anyone')[];
  level: Level;
  /** Completes "only an admin may …" in a refusal. */
  does: string;
  /** What the refused user can do instead, when there is something. */
  instead?: string;
}

interface ProjectPermission {
  /** The least project role that carries the action (maintainer > developer > viewer). */
  project: ProjectRole;
  /** Anyone, signed in or not, may do it on a public project. Only reads are ever public. */
  public?: true;
  level: Level;
  /** Completes "role viewer may not …"; `{env}` is the environment the request names. */
  does: string;
}

type Permission = InstancePermission | ProjectPermission;

export const permissions = {
  // Instance: users, hosts, projects. A listing shows only the projects the caller may read.
  'projects.list': { instance: ['anyone'], level: 'read', does: 'list projects' },
  // Signing in (POST /api/session) is open: the credentials are in the body.
  'session.create': { instance: ['anyone'], level: 'read', does: 'sign in to the web UI' },
  // Each event is filtered by what the caller may read (src/server/live-updates.ts).
  'events.read': { instance: ['anyone'], level: 'read', does: 'follow live updates of what they may read' },
  // Their own password, any user; anyone's, an admin (the route checks which).
  'users.password': { instance: ['user'], level: 'admin', does: "set their password (an admin: anyone's)" },
  'users.list': { instance: ['admin'], level: 'admin', does: 'list users' },
  'users.create': { instance: ['admin'], level: 'admin', does: 'add users' },
  'hosts.read': { instance: ['user'], level: 'read', does: 'read pinned host keys' },
  'hosts.forget': { instance: ['admin'], level: 'admin', does: 'forget a host key' },
  // `projects.create` in config.yml narrows this to admins (Access passes the setting in).
  'projects.create': { instance: ['user'], level: 'write', does: 'create projects' },
  // The gate's own check (deploy/gate): a signed-in human. Who is an approver of an
  // environment is the gate's business; the route checks deployments.approve first.
  'deploy.approve': { instance: ['admin', 'member'], level: 'write', does: 'approve or reject a deployment or a gated job' },
  'deploy.force': { instance: ['admin'], level: 'admin', does: 'force a rollback past the approval gate', instead: 'roll back without force and get it approved' },
  // Everyone manages their own tokens; the token doing it needs the admin scope (token-scope.ts).
  'tokens.manage': { instance: ['user'], level: 'admin', does: 'create or revoke their tokens' },
  'deploy.force_promotion': { instance: ['admin'], level: 'admin', does: 'deploy a release that has not succeeded in the environment promote_from names', instead: 'deploy it there first, then promote it' },
  'audit.read': { instance: ['admin'], level: 'admin', does: 'read the audit log' },
  // Runner names and labels say what the machines are; who runs what across all projects.
  'runners.read': { instance: ['admin'], level: 'read', does: 'list runners' },
  // A registration token lets a machine take every project's jobs (and see their secrets).
  'runners.manage': { instance: ['admin'], level: 'admin', does: 'create, list or revoke runner registration tokens, and pause, drain, resume, revoke or remove runners' },
  // A mirrored action is code every project's jobs may run: only an admin puts one there.
  'actions.mirror': { instance: ['admin'], level: 'admin', does: 'mirror an action repository into the instance' },
  'actions.resolve': { instance: ['user'], level: 'read', does: 'resolve a remote action or reusable workflow with their own rights' },
  // Deletes what nothing references and untags old releases, across every project.
  'registry.gc': { instance: ['admin'], level: 'admin', does: 'run registry garbage collection or retention' },
  // Prometheus figures: how busy every project is, runner names (src/server/metrics).
  'metrics.read': { instance: ['admin'], level: 'read', does: "read the server's Prometheus metrics" },

  // Project: reading.
  'project.read': { project: 'viewer', public: true, level: 'read', does: 'see the project' },
  'runs.read': { project: 'viewer', public: true, level: 'read', does: 'read runs, logs and their outputs' },
  'releases.read': { project: 'viewer', public: true, level: 'read', does: 'read releases' },
  'git.read': { project: 'viewer', public: true, level: 'read', does: 'clone or fetch the repository' },
  'images.pull': { project: 'viewer', public: true, level: 'read', does: 'pull images' },
  'deployments.read': { project: 'viewer', level: 'read', does: 'read deployments and environments' },
  'members.read': { project: 'viewer', level: 'read', does: 'list members' },
  // Project: developing.
  'git.push': { project: 'developer', level: 'write', does: 'push to the repository' },
  'images.push': { project: 'developer', level: 'write', does: 'push images' },
  'images.delete': { project: 'developer', level: 'write', does: 'delete images' },
  'runs.control': { project: 'developer', level: 'write', does: 'cancel or re-run runs' },
  'runs.dispatch': { project: 'developer', level: 'write', does: 'start workflows by dispatch' },
  'deploy.run': { project: 'developer', level: 'write', does: 'deploy, promote or roll back to environment {env}' },
  'deployments.approve': { project: 'developer', level: 'write', does: 'approve or reject deployments and gated jobs' },
  'secrets.list': { project: 'developer', level: 'read', does: 'list the secret names of environment {env}' },
  // Project: maintaining. Protected environments and branches check these where they are.
  'deploy.protected': { project: 'maintainer', level: 'write', does: 'deploy to protected environment {env}' },
  'secrets.write': { project: 'maintainer', level: 'admin', does: 'set secrets of environment {env}' },
  'members.write': { project: 'maintainer', level: 'admin', does: 'add, change or remove members' },
  'project.settings': { project: 'maintainer', level: 'admin', does: 'change project settings' },
  'protection.write': { project: 'maintainer', level: 'admin', does: 'change branch and environment protection' },
  'environments.protect': { project: 'maintainer', level: 'admin', does: "set or remove an environment's protection rules" },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof permissions;

export function isProjectAction(action: Action): boolean {
  return 'project' in permissions[action];
}

/** Where an action happens, as the caller's request names it and the store knows it. */
export interface Scope {
  project?: string;
  /** The caller's role in `project`, if any. */
  role?: ProjectRole | undefined;
  /** Whether `project` was made public by a maintainer. */
  public?: boolean;
  environment?: string;
  /** config.yml `projects.create` (default everyone). */
  projectsCreate?: 'everyone' | 'admins';
}

/**
 * Returns when `user` (undefined: anonymous) may do `action` in `scope`; otherwise throws
 * UNAUTHORIZED (anonymous) or FORBIDDEN naming what is missing. Admins may do everything.
 */
export function authorize(user: User | undefined, action: Action, scope: Scope = {}): void {
  if (allowed(user, action, scope)) return;
  const p: Permission = permissions[action];
  const does = p.does.replaceAll('{env}', scope.environment ?? '(any)');
  if (!user) {
    const why = scope.project && 'project' in p ? (p.public && !scope.public ? `project ${scope.project} is not public` : `anonymous callers may only read public projects`) : 'sign in';
    throw new SlipwayError('UNAUTHORIZED', `authentication required: ${why}; to ${does}, send a token (missing permission ${action}${scope.project ? ` on project ${scope.project}` : ''})`, {
      detail: { permission: action, ...(scope.project && { project: scope.project }) },
    });
  }
  if ('instance' in p) {
    const roles = p.instance.filter((r): r is InstanceRole => r !== 'user' && r !== 'anyone');
    // Only a setting narrows an action open to every user (projects.create: admins).
    const who = roles.length > 0 ? roles.map((r) => `${/^[aeiou]/.test(r) ? 'an' : 'a'} ${r}`).join(' or ') : 'an admin';
    const on = scope.project ? ` on project ${scope.project}` : '';
    const instead = roles.length > 0 ? p.instead : "this server's config.yml says projects.create: admins";
    throw new SlipwayError('FORBIDDEN', `only ${who} may ${does} (${user.name} has role ${user.role}): missing permission ${action}${on}${instead ? `; ${instead}` : ''}`, {
      detail: { user: user.name, role: user.role, permission: action, ...(scope.project && { project: scope.project }) },
    });
  }
  const project = scope.project ?? '(unnamed)';
  const who = scope.role ? `role ${scope.role}` : `${user.name} has no role and`;
  throw new SlipwayError('FORBIDDEN', `project ${project}: ${who} may not ${does} (missing permission ${action}; needs role ${p.project})`, {
    detail: { user: user.name, project, role: scope.role ?? null, permission: action, needs: p.project },
  });
}

/** What `authorize` decides, without the error: for filtering listings. */
export function permits(user: User | undefined, action: Action, scope: Scope = {}): boolean {
  return allowed(user, action, scope);
}

function allowed(user: User | undefined, action: Action, scope: Scope): boolean {
  const p: Permission = permissions[action];
  if (user?.role === 'admin') return true;
  if ('instance' in p) {
    if (p.instance.includes('anyone')) return true;
    if (!user) return false;
    if (action === 'projects.create' && scope.projectsCreate === 'admins') return false;
    return p.instance.includes('user') || p.instance.includes(user.role);
  }
  if (p.public && scope.public) return true;
  if (!user || !scope.role) return false;
  return atLeast(scope.role, p.project);
}

/** The actions `role` carries in a project (public: what anyone may do there), for docs and tests. */
export function projectActionsOf(role: ProjectRole | 'public'): Action[] {
  return (Object.keys(permissions) as Action[]).filter((a) => {
    const p: Permission = permissions[a];
    if (!('project' in p)) return false;
    return role === 'public' ? p.public === true : atLeast(role, p.project);
  });
}
