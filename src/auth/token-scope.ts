// What a token may reach, checked next to authorize (which asks what the token's *user*
// may do): a user token's scope (read ⊂ write ⊂ admin), a job token's own project and run,
// a deployment's single repository, a runner credential's runner protocol. Every refusal
// names the scope that is missing.
import { SlipwayError } from '../core/errors.ts';
import { describePrincipal, scopeCovers, type Principal, type TokenScope } from './principal.ts';

/** One request as the scope check sees it: an API route, a git service or a registry operation. */
export type ScopedAction =
  | { kind: 'api'; method: string; route: string; params: Readonly<Record<string, string | undefined>>; permission?: string }
  | { kind: 'git'; project: string; access: 'fetch' | 'push' }
  /** `repository` is absent for the registry's version check (`GET /v2/`). */
  | { kind: 'registry'; repository?: string; access: 'pull' | 'push' | 'delete' };

/** Permissions that administer the instance or mint credentials: only an `admin`-scoped token carries them. */
const adminScopePermissions: ReadonlySet<string> = new Set(['users.list', 'users.create', 'users.password', 'hosts.forget', 'deploy.force', 'tokens.manage', 'runners.manage']);

/** The API routes a job token reaches, always for its own run (`:run`). */
const jobRoutes: ReadonlySet<string> = new Set(['GET /api/runs/:run/artifacts', 'GET /api/runs/:run/artifacts/:name']);

/** The runner protocol's routes: a runner credential reaches these and nothing else, and nothing else reaches them. */
export const runnerProtocolPrefix = '/api/runner/';

/** Where a registration token turns into a runner credential: the one route it reaches. */
export const registerRoute = `${runnerProtocolPrefix}register`;

function isRunnerProtocol(a: ScopedAction): boolean {
  return a.kind === 'api' && a.route.startsWith(runnerProtocolPrefix) && a.route !== registerRoute;
}

function neededScope(action: ScopedAction): TokenScope {
  switch (action.kind) {
    case 'api':
      if (action.permission && adminScopePermissions.has(action.permission)) return 'admin';
      return action.method === 'GET' || action.method === 'HEAD' ? 'read' : 'write';
    case 'git':
      return action.access === 'fetch' ? 'read' : 'write';
    case 'registry':
      return action.access === 'pull' ? 'read' : 'write';
  }
}

function describeAction(action: ScopedAction): string {
  switch (action.kind) {
    case 'api':
      return `${action.method} ${action.route}`;
    case 'git':
      return `${action.access} the repository of project ${action.project}`;
    case 'registry':
      return action.repository ? `${action.access} image repository ${action.repository}` : 'reach the registry';
  }
}

/** Image repositories of a project are `<project>/<image>` (build-image names them so). */
function repositoryOfProject(repository: string, project: string): boolean {
  return repository.startsWith(`${project}/`);
}

function jobAllows(p: Extract<Principal, { kind: 'job' }>, a: ScopedAction): boolean {
  if (a.kind === 'git') return a.access === 'fetch' && a.project === p.job.project;
  if (a.kind === 'registry') return a.repository === undefined || (a.access !== 'delete' && repositoryOfProject(a.repository, p.job.project));
  const method = a.method === 'HEAD' ? 'GET' : a.method;
  return jobRoutes.has(`${method} ${a.route}`) && a.params.run === p.job.runId;
}

function deployAllows(p: Extract<Principal, { kind: 'deploy' }>, a: ScopedAction): boolean {
  return a.kind === 'registry' && a.access === 'pull' && (a.repository === undefined || a.repository === p.deploy.repository);
}

/** No user token reaches the runner protocol, not even an admin's: runners and registration tokens are their own principals. */
function refuseRunnerProtocol(principal: Principal, action: ScopedAction, what: string): void {
  if (action.kind === 'api' && action.route === registerRoute) {
    throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope register; a runner registers with a registration token (slipway runners token create)`, {
      detail: { missingScope: 'register' },
    });
  }
  if (isRunnerProtocol(action)) {
    throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope runner; only a runner credential (slipway runner register) speaks the runner protocol`, {
      detail: { missingScope: 'runner' },
    });
  }
}

/** Returns when the principal's token reaches `action`; FORBIDDEN naming the missing scope otherwise. */
export function checkScope(principal: Principal, action: ScopedAction): void {
  const what = describeAction(action);
  if (principal.kind === 'registration') {
    if (action.kind === 'api' && action.method === 'POST' && action.route === registerRoute) return;
    throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope; a registration token only registers a runner (POST ${registerRoute})`, {
      detail: { principal: 'registration', scope: 'register' },
    });
  }
  if (principal.kind === 'runner') {
    if (isRunnerProtocol(action)) return;
    throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope; a runner credential reaches the runner protocol (${runnerProtocolPrefix}…) only`, {
      detail: { principal: 'runner', runner: principal.runner.name, scope: 'runner' },
    });
  }
  if (principal.kind === 'user') {
    const needed = neededScope(action);
    if (!scopeCovers(principal.token.scope, needed)) {
      throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope ${needed}`, {
        detail: { user: principal.user.name, token: principal.token.name, scope: principal.token.scope, missingScope: needed },
      });
    }
    refuseRunnerProtocol(principal, action, what);
    return;
  }
  if (principal.kind === 'job') {
    if (jobAllows(principal, action)) return;
    const { project, runId } = principal.job;
    throw new SlipwayError(
      'FORBIDDEN',
      `${describePrincipal(principal)} may not ${what}: missing scope; a job token's scope is project ${project} only (fetch its repository, pull and push ${project}/* images, read run ${runId}'s artifacts)`,
      { detail: { principal: 'job', project, run: runId, scope: `job:${project}` } },
    );
  }
  if (deployAllows(principal, action)) return;
  throw new SlipwayError('FORBIDDEN', `${describePrincipal(principal)} may not ${what}: missing scope; its scope is pulling ${principal.deploy.repository} only`, {
    detail: { principal: 'deploy', deployment: principal.deploy.deploymentId, scope: `pull:${principal.deploy.repository}` },
  });
}
