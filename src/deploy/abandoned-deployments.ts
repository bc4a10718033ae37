// Deployments whose server died mid-way, found while other servers keep running (several
// servers on one database, docs/scaling.md). A deployment is `running` only while its
// server holds the environment's lock (execute-deployment.ts) and renews its lease; once the
// lease has run out nobody is deploying it. The sweep takes the lock over (so a holder that
// was only slow loses it and stops), fails the deployment if it is still running, and lets
// the lock go. Deployments still queued on a dead server cannot be told from queued ones on
// a live one and wait for a start with no other server (recovery.ts).
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';

export const abandonedError = 'interrupted: the server running it stopped (its environment lock\'s lease ran out)';

export async function failAbandonedDeployments(deps: { store: Store; events: EventBus; holder: string; leaseMs: number }): Promise<number> {
  const { store, events, holder } = deps;
  let failed = 0;
  for (const d of await store.deployments.unfinished()) {
    if (d.status !== 'running') continue;
    const lock = await store.environmentLocks.get(d.project_id, d.environment);
    if (lock && lock.deployment_id === d.id && lock.lease_expires_at > new Date().toISOString()) continue; // its server is at it
    const request = { projectId: d.project_id, environment: d.environment, holder, deploymentId: d.id, leaseMs: deps.leaseMs };
    if (!(await store.environmentLocks.acquire(request))) continue; // another deployment holds it live: this one is looked at again next time
    try {
      // Its holder writes the outcome before it lets the lock go: still running now means nobody will.
      if ((await store.deployments.get(d.id))?.status !== 'running') continue;
      await store.deployments.update(d.id, { status: 'failure', error: abandonedError, finished_at: new Date().toISOString() });
      events.emit('deployment-updated', d.id);
      events.emit('stream-end', `deployment:${d.id}`);
      failed++;
    } finally {
      await store.environmentLocks.release(d.project_id, d.environment, holder);
    }
  }
  return failed;
}
