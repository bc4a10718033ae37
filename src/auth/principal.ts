// Who a request acts as (DESIGN.md "Who may do what"): a user through one of their tokens,
// a running job through its job token, a deployment's host through its pull token, or a
// remote runner through its runner credential.
// Jobs and deployments are not users: they carry a stand-in `user` only so routes can name
// the caller; `kind` is what authorize and checkScope look at.
import type { User } from '../store/repos/users.ts';

export type TokenScope = 'read' | 'write' | 'admin';
export const tokenScopes: readonly TokenScope[] = ['read', 'write', 'admin'];

/** `admin` includes `write`, which includes `read`. */
export function scopeCovers(held: TokenScope, needed: TokenScope): boolean {
  return tokenScopes.indexOf(held) >= tokenScopes.indexOf(needed);
}

interface UserPrincipal {
  kind: 'user';
  user: User;
  /** The token, or for a browser session its stand-in: the session's id and scope. */
  token: { id: string; name: string; scope: TokenScope };
  /** Set when the session cookie authenticated the request: then writes need its CSRF token. */
  session?: { id: string; csrf: string };
}

interface JobPrincipal {
  kind: 'job';
  user: User;
  job: { id: string; runId: string; project: string; projectId: string };
}

interface DeployPrincipal {
  kind: 'deploy';
  user: User;
  deploy: { deploymentId: string; project: string; repository: string };
}

/** A remote runner (`slipway runner`) through its runner credential: the runner protocol only. */
interface RunnerPrincipal {
  kind: 'runner';
  user: User;
  runner: { name: string; credentialId: string };
}

/** An admin's registration token: it can only register a runner (POST /api/runner/register). */
interface RegistrationPrincipal {
  kind: 'registration';
  user: User;
  registration: { id: string; createdBy: string };
}

export type Principal = UserPrincipal | JobPrincipal | DeployPrincipal | RunnerPrincipal | RegistrationPrincipal;

/** The name a job or deployment goes by in logs and refusals; never a user that could hold a role. */
export function standInUser(id: string, name: string, createdAt: string): User {
  return { id, name, role: 'member', created_at: createdAt };
}

export function describePrincipal(p: Principal): string {
  if (p.kind === 'job') return `the job token of project ${p.job.project} (run ${p.job.runId})`;
  if (p.kind === 'deploy') return `the pull token of deployment ${p.deploy.deploymentId}`;
  if (p.kind === 'runner') return `the runner credential of runner ${p.runner.name}`;
  if (p.kind === 'registration') return `registration token ${p.registration.id}`;
  if (p.session) return `the browser session of ${p.user.name} (scope ${p.token.scope})`;
  return `token "${p.token.name}" of ${p.user.name} (scope ${p.token.scope})`;
}
