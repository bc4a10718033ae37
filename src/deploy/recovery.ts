// After a restart: locks of dead processes are released, the local host's environments are
// reconciled with what runs there (reconcile-local.ts; deployments cut off mid-way on it end
// saying what serves), other deployments cut off mid-way failed, and deployments waiting for
// approval wait again (their timer counted from their creation). Reconciling comes before
// the gates reopen: a deployment they let through must not race it.
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Project } from '../store/repos/projects.ts';
import type { ContainerEngine } from './engine/container-engine.ts';
import type { EnvironmentPlan } from './environment-plan.ts';
import { gateRule, type ApprovalGate } from './gate/approval-gate.ts';
import { releaseDeadLocks } from './gate/environment-lock.ts';
import type { LocalProxies } from './proxy/haproxy/local-proxies.ts';
import { reconcileLocal } from './reconcile-local.ts';

interface RecoveryDeps {
  store: Store;
  events: EventBus;
  gate: ApprovalGate;
  /** The plan of a deployment as its environment's protection stands now (service.environmentPlan). */
  planOf: (project: Project, environment: string, release: Release) => Promise<EnvironmentPlan>;
  /** Queues a deployment whose gate opened. */
  enqueue: (deployment: Deployment, project: string, release: Release, plan: EnvironmentPlan) => void;
  /** The local host's engine and proxies. */
  local: { engine: ContainerEngine; proxies: LocalProxies };
  /** This installation's id (the label on its containers). */
  instance: string;
  log: (message: string) => void;
}

export async function recoverDeployments(deps: RecoveryDeps): Promise<void> {
  const { store, log } = deps;
  for (const lock of await releaseDeadLocks(store)) log(`released the lock on ${lock.environment} left by ${lock.holder} (no longer running)`);
  const locks = (await store.environmentLocks.all()).filter((l) => l.lease_expires_at > new Date().toISOString());
  const live = new Set(locks.map((l) => l.deployment_id));
  const cutOff = (await store.deployments.unfinished()).filter((d) => !live.has(d.id));
  await reconcileLocal(deps, cutOff.filter((d) => d.status === 'running'), new Set(locks.map((l) => `${l.project_id}/${l.environment}`)));
  for (const d of await store.deployments.unfinished()) {
    // Another live process is deploying it (it holds that environment's lock).
    if (live.has(d.id)) continue;
    await store.deployments.update(d.id, { status: 'failure', error: 'interrupted: the server stopped during the deployment', finished_at: new Date().toISOString() });
  }
  for (const d of await store.approvals.waiting()) await resumeAtGate(deps, d);
}

/**
 * Holds a waiting deployment at its gate in this process, as its environment's protection
 * stands now: after a restart, and when another server of the installation held it (it
 * died, or a decision reached this one). A deployment that cannot wait again fails, saying why.
 */
export async function resumeAtGate(deps: Pick<RecoveryDeps, 'store' | 'events' | 'gate' | 'planOf' | 'enqueue'>, d: Deployment): Promise<void> {
  const { store } = deps;
  try {
    const project = await store.projects.byId(d.project_id);
    const release = await store.releases.get(d.release_id);
    if (!project || !release) throw new Error('its project or release no longer exists');
    // The gate as the environment's protection stands now, not as it stood when the deployment was requested.
    const plan = await deps.planOf(project, d.environment, release);
    const rule = gateRule(plan.env);
    if (!rule) throw new Error(`the protection of ${d.environment} no longer has an approval gate; deploy again`);
    await deps.gate.hold(d, project.name, release, rule, () => deps.enqueue(d, project.name, release, plan));
  } catch (err) {
    await store.deployments.update(d.id, { status: 'failure', error: `could not resume waiting for approval: ${(err as Error).message}`, finished_at: new Date().toISOString() });
    deps.events.emit('deployment-updated', d.id);
  }
}
