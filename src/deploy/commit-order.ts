// Automatic deployments follow commit order (issue 10 item 3): runs finish in any order, so
// a push deployment whose commit is already covered — by what its environment serves, or
// by a deployment queued or running there — ends as `superseded`, naming the newer
// release, instead of putting an older commit over a newer one. Checked when it is queued
// and again under the environment's lock just before it starts, which also coalesces a
// queue: of several waiting, each older one finds the newest and steps aside.
// Manual deploys, promotions and rollbacks are explicit and never superseded.
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';

/** Whether commit `ancestor` is `descendant` or one of its ancestors in `project`'s repository (git merge-base --is-ancestor). */
export type IsAncestor = (project: string, ancestor: string, descendant: string) => Promise<boolean>;

export interface CommitOrderDeps {
  store: Store;
  isAncestor: IsAncestor;
}

interface Supersession {
  /** The newer release. */
  release: Release;
  /** The readable reason, stored as the deployment's error. */
  error: string;
}

/** Only continuous deployment (trigger `push`) follows commit order; the rest was asked for by someone. */
export const isAutomatic = (d: Pick<Deployment, 'trigger'>): boolean => d.trigger === 'push';

/**
 * Why `newer` covers `ours`, or undefined when it does not: the same commit, a descendant,
 * or — for commits neither of which contains the other (a force-push) — a later push.
 */
async function covers(deps: CommitOrderDeps, project: string, ours: Release, newer: Release): Promise<string | undefined> {
  if (newer.sha === ours.sha) return 'the same commit';
  if (await deps.isAncestor(project, ours.sha, newer.sha)) return `a descendant of ${ours.sha.slice(0, 7)}`;
  if (await deps.isAncestor(project, newer.sha, ours.sha)) return undefined;
  const [ourPush, theirPush] = await Promise.all([deps.store.releases.pushedAt(ours.id), deps.store.releases.pushedAt(newer.id)]);
  if (ourPush === undefined || theirPush === undefined || theirPush <= ourPush) return undefined;
  return `unrelated to ${ours.sha.slice(0, 7)} (a force-push) and pushed after it`;
}

/** The newer release that makes automatic deployment `d` pointless, if any. */
async function supersession(deps: CommitOrderDeps, project: string, d: Deployment, ours: Release): Promise<Supersession | undefined> {
  const { store } = deps;
  const serving = await store.deployments.state(d.project_id, d.environment);
  // Newest first, so a coalesced queue names the deployment that will run.
  const others = (await store.deployments.inProgress(d.project_id, d.environment)).filter((o) => o.id !== d.id);
  const candidates: { releaseId: string; what: string }[] = [
    ...(serving ? [{ releaseId: serving.release_id, what: `serving ${d.environment}` }] : []),
    ...others.map((o) => ({ releaseId: o.release_id, what: `deployment #${o.number}, ${o.status}` })),
  ];
  for (const c of candidates) {
    const release = c.releaseId === ours.id ? ours : await store.releases.get(c.releaseId);
    if (!release) continue;
    const why = await covers(deps, project, ours, release);
    if (why === undefined) continue;
    const error = `superseded: commit ${release.sha.slice(0, 7)} (release ${release.id}, ${c.what}) is ${why}; an automatic deployment never replaces a newer commit, so nothing was deployed (deploy it by hand to run it anyway)`;
    return { release, error };
  }
  return undefined;
}

/**
 * Ends automatic deployment `d` as `superseded` when a newer release serves its environment
 * or is queued or running there; true when it did (then `d` must not run). Call it while `d`
 * is queued: on creation, and under the environment's lock before it starts.
 */
export async function supersedeIfCovered(deps: CommitOrderDeps, project: string, d: Deployment, release: Release, log: (line: string) => void): Promise<boolean> {
  if (!isAutomatic(d)) return false;
  const found = await supersession(deps, project, d, release);
  if (!found) return false;
  if (!(await deps.store.deployments.supersede(d.id, found.release.id, found.error))) return false;
  log(found.error);
  return true;
}
