// Resolving a presented token to a principal, and making the short-lived grant tokens jobs
// and deployments get. A token that exists but no longer holds (revoked, expired, its job
// ended) is refused with a reason, so the caller learns why instead of guessing.
import type { Store } from '../store/store.ts';
import { isExpired } from '../store/repos/users.ts';
import type { GrantToken } from '../store/repos/grant-tokens.ts';
import { isDeploymentFinished } from '../core/types.ts';
import { standInUser, type Principal } from './principal.ts';
import { registrationTokenPrefix, runnerCredentialPrefix } from '../store/repos/runner-credentials.ts';

// `last_used_at` is for people (`tokens list`): written at most once a minute per token, so
// authenticating is not a database write per request. Bounded like the failed-auth table.
const touched = new Map<string, number>();
function shouldTouch(id: string, at: number): boolean {
  const last = touched.get(id);
  if (last !== undefined && at - last < 60_000) return false;
  touched.delete(id);
  touched.set(id, at);
  if (touched.size > 10_000) touched.delete(touched.keys().next().value!);
  return true;
}

export type Resolved = { ok: true; principal: Principal } | { ok: false; reason: string };

export async function resolveToken(store: Store, token: string, at = Date.now()): Promise<Resolved> {
  if (token.startsWith('slpj_') || token.startsWith('slpd_')) {
    const grant = await store.grantTokens.byToken(token);
    return grant ? resolveGrant(store, grant, at) : { ok: false, reason: 'unknown token' };
  }
  if (token.startsWith(runnerCredentialPrefix)) {
    const credential = await store.runnerCredentials.byToken(token);
    if (!credential) return { ok: false, reason: 'unknown token' };
    if (credential.revoked_at) return { ok: false, reason: `the runner credential of runner ${credential.name} was revoked at ${credential.revoked_at} (an admin removed or revoked the runner: register it again)` };
    return { ok: true, principal: { kind: 'runner', user: standInUser(`runner:${credential.name}`, `runner:${credential.name}`, credential.created_at), runner: { name: credential.name, credentialId: credential.id } } };
  }
  if (token.startsWith(registrationTokenPrefix)) {
    const r = await store.runnerCredentials.registrationByToken(token);
    if (!r) return { ok: false, reason: 'unknown token' };
    if (r.revoked_at) return { ok: false, reason: `registration token ${r.id} was revoked at ${r.revoked_at}` };
    if (isExpired(r.expires_at, at)) return { ok: false, reason: `registration token ${r.id} expired at ${r.expires_at}` };
    return { ok: true, principal: { kind: 'registration', user: standInUser(`registration:${r.id}`, `registration:${r.id}`, r.created_at), registration: { id: r.id, createdBy: r.created_by } } };
  }
  const found = await store.users.tokenOwner(token);
  if (!found) return { ok: false, reason: 'unknown token' };
  const { user, token: row } = found;
  if (row.revoked_at) return { ok: false, reason: `token "${row.name}" of ${user.name} was revoked at ${row.revoked_at}` };
  if (isExpired(row.expires_at, at)) return { ok: false, reason: `token "${row.name}" of ${user.name} expired at ${row.expires_at}` };
  if (shouldTouch(row.id, at)) await store.users.touchToken(row.id, new Date(at).toISOString());
  return { ok: true, principal: { kind: 'user', user, token: { id: row.id, name: row.name, scope: row.scope } } };
}

async function resolveGrant(store: Store, grant: GrantToken, at: number): Promise<Resolved> {
  const project = await store.projects.byId(grant.project_id);
  if (!project) return { ok: false, reason: 'the project of this token no longer exists' };
  if (grant.kind === 'job') {
    const job = grant.job_id ? await store.runs.job(grant.job_id) : undefined;
    // Valid only while the job runs, on the attempt it was made for: a finished, cancelled
    // or re-queued job's token is dead even if nothing revoked it.
    if (grant.revoked_at || !job || job.status !== 'running' || job.attempt !== grant.job_attempt) {
      return { ok: false, reason: `the job token of project ${project.name} is no longer valid: its job has ended` };
    }
    return {
      ok: true,
      principal: { kind: 'job', user: standInUser(`job:${job.id}`, `job:${project.name}/${job.id}`, grant.created_at), job: { id: job.id, runId: job.run_id, project: project.name, projectId: project.id } },
    };
  }
  const deployment = grant.deployment_id ? await store.deployments.get(grant.deployment_id) : undefined;
  if (grant.revoked_at || !deployment || isDeploymentFinished(deployment.status) || isExpired(grant.expires_at, at)) {
    return { ok: false, reason: `the pull token of deployment ${grant.deployment_id ?? '?'} is no longer valid: its deployment has ended` };
  }
  return {
    ok: true,
    principal: {
      kind: 'deploy', user: standInUser(`deploy:${deployment.id}`, `deploy:${project.name}/${deployment.id}`, grant.created_at),
      deploy: { deploymentId: deployment.id, project: project.name, repository: grant.repository ?? '' },
    },
  };
}

/**
 * A new token for a job attempt that was just claimed. A claim is always of a new attempt
 * (a re-queued job is the next one), and a token holds only while its attempt runs
 * (resolveGrant), so an older attempt's token is dead already: nothing to revoke here.
 */
export async function issueJobToken(store: Store, job: { id: string; runId: string; projectId: string; attempt: number }): Promise<string> {
  const { token } = await store.grantTokens.create({ kind: 'job', project_id: job.projectId, run_id: job.runId, job_id: job.id, job_attempt: job.attempt, deployment_id: null, repository: null, expires_at: null });
  return token;
}

/** Ends a job's token at once (the job completed), rather than at the next check of its state. */
export async function revokeJobToken(store: Store, jobId: string): Promise<void> {
  await store.grantTokens.revokeForJob(jobId);
}

/** How long a deployment's pull token lasts at most, even if its deployment never finishes. */
export const deployTokenLifetimeMs = 2 * 60 * 60 * 1000;

/** A pull-only token for one release's repository, for the hosts of one deployment. */
export async function issueDeployToken(store: Store, deployment: { id: string; projectId: string }, repository: string, at = Date.now()): Promise<{ id: string; token: string }> {
  const { row, token } = await store.grantTokens.create({
    kind: 'deploy', project_id: deployment.projectId, run_id: null, job_id: null, job_attempt: null, deployment_id: deployment.id, repository,
    expires_at: new Date(at + deployTokenLifetimeMs).toISOString(),
  });
  return { id: row.id, token };
}

/** Deployments' registry credentials: a pull token per deployment, revoked when it ends. */
export function deployPullCredentials(store: Store) {
  return async (deployment: { id: string; project_id: string }, repository: string) => {
    const { id, token } = await issueDeployToken(store, { id: deployment.id, projectId: deployment.project_id }, repository);
    return { username: 'deploy', password: token, revoke: () => store.grantTokens.revoke(id) };
  };
}
