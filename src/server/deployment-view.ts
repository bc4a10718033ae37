// How the API shows a deployment: its release, trigger, outcome and times, while it waits
// who holds the environment's lock, and the approvals of a gated environment.
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import { decisionsView, type ApprovalsView } from '../deploy/gate/approval-gate.ts';
import { SlipwayError } from '../core/errors.ts';

export type LockView = (d: Deployment) => Promise<unknown>;
type ApprovalsViewOf = (d: Deployment) => Promise<ApprovalsView>;

/** A deployment by id (`dep_…`) or by `<project>#<number>` / `<project>/<number>`. */
export async function findDeployment(store: Store, ref: string): Promise<Deployment> {
  const m = /^([^/#]+)[/#](\d+)$/.exec(ref);
  if (!m) return store.deployments.require(ref);
  const project = await store.projects.require(m[1]!);
  const d = await store.deployments.byNumber(project.id, Number(m[2]));
  if (!d) throw new SlipwayError('DEPLOYMENT_UNKNOWN', `deployment ${m[1]}#${m[2]} not found`);
  return d;
}

/** Without `approvalsOf` the decisions still show (they are rows); `approval` (the gate's progress) needs deploy.yml. */
export async function deploymentView(store: Store, d: Deployment, lockView?: LockView, approvalsOf?: ApprovalsViewOf) {
  const project = await store.projects.byId(d.project_id);
  const release = await store.releases.get(d.release_id);
  const newer = d.superseded_by ? await store.releases.get(d.superseded_by) : undefined;
  const gate: ApprovalsView = approvalsOf
    ? await approvalsOf(d)
    : { approvals: decisionsView(await store.approvals.list(d.id)), approval: null };
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
    // status `superseded`: the newer release that made this automatic deployment unnecessary (src/deploy/commit-order.ts).
    supersededBy: newer ? { id: newer.id, sha: newer.sha } : null,
    lock: (await lockView?.(d)) ?? null,
    approvals: gate.approvals,
    approval: gate.approval,
    // Each host's outcome, in deploy.yml order.
    hosts: (await store.deploymentHosts.list(d.id)).map((h) => ({ host: h.host, status: h.status, error: h.error, container: h.container, startedAt: h.started_at, finishedAt: h.finished_at })),
    createdAt: d.created_at,
    startedAt: d.started_at,
    finishedAt: d.finished_at,
  };
}
