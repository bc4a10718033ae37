// How the API shows a deployment: its release, trigger, outcome and times, and — while it
// waits — who holds the environment's lock.
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';

export type LockView = (d: Deployment) => Promise<unknown>;

export async function deploymentView(store: Store, d: Deployment, lockView?: LockView) {
  const project = await store.projects.byId(d.project_id);
  const release = await store.releases.get(d.release_id);
  return {
    id: d.id,
    project: project?.name,
    number: d.number,
    environment: d.environment,
    status: d.status,
    error: d.error,
    trigger: d.trigger,
    triggeredBy: d.triggered_by,
    release: release && { id: release.id, sha: release.sha, image: release.image, digest: release.digest },
    lock: (await lockView?.(d)) ?? null,
    createdAt: d.created_at,
    startedAt: d.started_at,
    finishedAt: d.finished_at,
  };
}
