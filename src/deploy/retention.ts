// Release retention: which releases' images stay in the registry. Per project, a release
// stays when it serves in an environment, is being deployed (queued, running or waiting for
// approval), is an environment's last known-good release (the newest that succeeded there
// other than the one serving: what a rollback goes back to), is among the newest
// `keepPerBranch` of its branch (or tag), or is younger than `keepDays`. The rest are
// untagged in the registry (the `<sha>` tag slipway/build-image pushed, if it still points
// at the release) and their bytes go at the next garbage collection (src/registry/gc.ts),
// which is given every kept release as a pin: a kept release survives even when its tag
// was moved (a rebuild of the same commit) or removed by hand.
import { isDeploymentFinished } from '../core/types.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Store } from '../store/store.ts';

export interface RetentionPolicy {
  keepPerBranch: number;
  keepDays: number;
}

export interface ReleaseVerdict {
  release: Release;
  /** Why it stays; empty when it goes. */
  reasons: string[];
}

interface ProjectFacts {
  releases: readonly Release[];
  deployments: readonly Deployment[];
  /** Environment → the release serving there now. */
  serving: ReadonlyMap<string, string>;
}

const dayMs = 86_400_000;

/** Every release of one project, each with why it stays (pure: the facts and the clock in). */
export function judgeReleases(facts: ProjectFacts, policy: RetentionPolicy, now: number): ReleaseVerdict[] {
  const reasons = new Map<string, string[]>(facts.releases.map((r) => [r.id, []]));
  const because = (id: string, why: string): void => void reasons.get(id)?.push(why);

  for (const [env, id] of facts.serving) because(id, `serving in ${env}`);
  const newestFirst = [...facts.deployments].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.number - a.number);
  const knownGood = new Map<string, string>();
  for (const d of newestFirst) {
    if (!isDeploymentFinished(d.status)) because(d.release_id, `being deployed to ${d.environment} (${d.status})`);
    if (d.status === 'success' && !knownGood.has(d.environment) && d.release_id !== facts.serving.get(d.environment)) knownGood.set(d.environment, d.release_id);
  }
  for (const [env, id] of knownGood) because(id, `last known-good in ${env}`);

  const byRef = new Map<string, Release[]>();
  for (const r of facts.releases) byRef.set(r.ref, [...(byRef.get(r.ref) ?? []), r]);
  for (const [ref, list] of byRef) {
    list.sort((a, b) => b.created_at.localeCompare(a.created_at));
    for (const r of list.slice(0, policy.keepPerBranch)) because(r.id, `among the newest ${policy.keepPerBranch} of ${ref.replace(/^refs\/(heads|tags)\//, '')}`);
  }
  for (const r of facts.releases) {
    if (now - Date.parse(r.created_at) < policy.keepDays * dayMs) because(r.id, `younger than ${policy.keepDays} days`);
  }
  return facts.releases.map((release) => ({ release, reasons: reasons.get(release.id)! }));
}

export interface RetentionReport {
  dryRun: boolean;
  kept: number;
  /** Releases whose images go (or, dry, would go). */
  dropped: Array<{ project: string; id: string; sha: string; ref: string; image: string; digest: string; createdAt: string }>;
  /** Tags removed from the registry. */
  untagged: number;
}

/** Every release of every project, judged. */
export async function judgeAll(store: Store, policy: RetentionPolicy, now: number): Promise<Array<ReleaseVerdict & { project: string }>> {
  const states = await store.deployments.allStates();
  const verdicts: Array<ReleaseVerdict & { project: string }> = [];
  for (const project of await store.projects.list()) {
    const facts: ProjectFacts = {
      releases: await store.releases.list(project.id, Number.MAX_SAFE_INTEGER),
      deployments: await store.deployments.list({ projectId: project.id, limit: Number.MAX_SAFE_INTEGER }),
      serving: new Map(states.filter((s) => s.project_id === project.id).map((s) => [s.environment, s.release_id])),
    };
    for (const v of judgeReleases(facts, policy, now)) verdicts.push({ ...v, project: project.name });
  }
  return verdicts;
}

/**
 * Untags the releases retention drops (a dry run only lists them). A tag is left when
 * another release that stays was built from the same commit into the same repository.
 */
export async function applyRetention(
  deps: { store: Store; untag: (repository: string, tag: string, digest: string) => Promise<boolean> },
  policy: RetentionPolicy,
  options: { dryRun: boolean; now?: number },
): Promise<RetentionReport> {
  const verdicts = await judgeAll(deps.store, policy, options.now ?? Date.now());
  const keptTags = new Set(verdicts.filter((v) => v.reasons.length > 0).map((v) => `${v.release.image}:${v.release.sha}`));
  const report: RetentionReport = { dryRun: options.dryRun, kept: verdicts.length, dropped: [], untagged: 0 };
  for (const { release: r, reasons, project } of verdicts) {
    if (reasons.length > 0) continue;
    report.kept--;
    report.dropped.push({ project, id: r.id, sha: r.sha, ref: r.ref, image: r.image, digest: r.digest, createdAt: r.created_at });
    if (options.dryRun || keptTags.has(`${r.image}:${r.sha}`)) continue;
    if (await deps.untag(r.image, r.sha, r.digest)) report.untagged++;
  }
  return report;
}

/** The images garbage collection must keep: every release retention keeps. */
export async function releasePins(store: Store, policy: RetentionPolicy, now = Date.now()): Promise<Array<{ repository: string; digest: string }>> {
  const verdicts = await judgeAll(store, policy, now);
  return verdicts.filter((v) => v.reasons.length > 0).map((v) => ({ repository: v.release.image, digest: v.release.digest }));
}
