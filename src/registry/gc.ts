// Online mark-and-sweep garbage collection of the registry's storage (layout.ts), while
// pushes and pulls go on: no read-only window.
//
// Mark, per repository: the roots are its tags, the manifests the caller pins (releases
// that retention keeps, whatever their tags), and manifests written within the grace
// period (an index's entries are pushed before the index, by digest). From a kept manifest,
// an index's entries are kept, and so is every referrer whose `subject` is kept.
//
// Sweep, in an order that keeps the storage consistent if the process dies at any point
// (kill -9): first the manifests nothing keeps (an index before its entries, a referrer
// before its subject), then each repository's blob links that no remaining manifest names,
// then the blobs no repository links any more. So a deletion never removes something that a
// manifest still present needs; a crash leaves only garbage the next run finds again.
//
// Never deleting what is needed while pushes go on: each deletion goes through
// DigestUse.sweep (digest-use.ts), which refuses a digest a request holds (a manifest push
// between its check and its write, an upload's commit), used since this run began, or used
// within the grace period; and each object is re-read just before it goes (still old
// enough, a manifest still untagged). Objects younger than the grace period are never
// deleted: a layer pushed a moment ago waits for its manifest.
import { crashPoint } from '../core/crash-point.ts';
import type { DigestUse } from './digest-use.ts';
import { blobKey, manifestKey, referrerKey, repoBlobKey, tagsPrefix } from './layout.ts';
import { manifestRefs, type ManifestRefs } from './manifest-refs.ts';
import type { StorageDriver } from '../storage/driver.ts';

export interface GcOptions {
  storage: StorageDriver;
  use: DigestUse;
  /** Objects written or used more recently than this are kept (ms). */
  graceMs: number;
  /** Report what would go, delete nothing. */
  dryRun?: boolean;
  /** Manifests kept whatever their tags (`repository`, `digest`). */
  pins?: ReadonlyArray<{ repository: string; digest: string }>;
  now?: () => number;
}

export interface GcReport {
  dryRun: boolean;
  /** Manifests, repository blob links and blobs deleted (or, dry, that would be). */
  manifests: number;
  links: number;
  blobs: number;
  /** Bytes of the blobs deleted. */
  bytes: number;
  /** Candidates left in place because a request used them meanwhile or they were rewritten. */
  spared: number;
  durationMs: number;
}

interface Repository {
  manifests: Set<string>;
  tags: Map<string, string>;
  links: Set<string>;
}

const repoKey = /^repositories\/(.+?)\/_(manifests|blobs|tags)\/(.+)$/;

/** `sha256/<hex>` → `sha256:<hex>` */
const digestOfPath = (path: string): string => path.replace('/', ':');

export async function collectGarbage(options: GcOptions): Promise<GcReport> {
  const { storage, use, graceMs } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const dryRun = options.dryRun ?? false;
  await use.forget(graceMs);
  const since = use.begin();
  const report: GcReport = { dryRun, manifests: 0, links: 0, blobs: 0, bytes: 0, spared: 0, durationMs: 0 };
  const isOld = async (key: string): Promise<boolean> => {
    const info = await storage.stat(key);
    return info !== undefined && now() - info.modified >= graceMs;
  };
  /**
   * Deletes `key` for `digest` if it is old enough, then checks again under the use check
   * just before the delete, with `recheck` (a manifest still untagged); dry runs only look.
   * Resolves to the bytes freed.
   */
  const remove = async (digest: string, key: string, recheck?: () => Promise<boolean>): Promise<number | undefined> => {
    if (!(await isOld(key))) return undefined;
    if (dryRun) return (await storage.stat(key))?.size ?? 0;
    const size = await use.sweep(digest, since, graceMs, async () => {
      if (!(await isOld(key)) || (recheck !== undefined && !(await recheck()))) return undefined;
      const info = await storage.stat(key);
      return (await storage.delete(key)) ? (info?.size ?? 0) : undefined;
    });
    if (size === undefined) report.spared++;
    return size;
  };

  const repositories = await scan(storage);
  const refs = new Map<string, ManifestRefs>();
  const refsOf = async (digest: string): Promise<ManifestRefs> => {
    let r = refs.get(digest);
    if (r === undefined) {
      const bytes = await storage.get(blobKey(digest));
      r = bytes === undefined ? { blobs: [], manifests: [], subject: undefined } : manifestRefs(bytes);
      refs.set(digest, r);
    }
    return r;
  };
  const pinned = new Map<string, Set<string>>();
  for (const p of options.pins ?? []) pinned.set(p.repository, (pinned.get(p.repository) ?? new Set()).add(p.digest));

  // Manifests, then links, per repository.
  const keepBlobs = new Set<string>();
  const linksLeft = new Set<string>();
  for (const [name, repo] of repositories) {
    for (const d of repo.manifests) await refsOf(d);
    const young = new Set<string>();
    for (const d of repo.manifests) if (!(await isOld(manifestKey(name, d)))) young.add(d);
    const roots = [...repo.tags.values(), ...(pinned.get(name) ?? []), ...young];
    const marked = mark(repo.manifests, roots, refs);

    const parents = new Map<string, string[]>();
    for (const p of repo.manifests) for (const child of refs.get(p)!.manifests) parents.set(child, [...(parents.get(child) ?? []), p]);
    const remaining = new Set(marked);
    for (const d of deletionOrder(repo.manifests, marked, refs)) {
      // An entry of an index that stays (it was spared), stays with it.
      const parentStays = (parents.get(d) ?? []).some((p) => remaining.has(p));
      const gone =
        !parentStays &&
        (await remove(d, manifestKey(name, d), async () => !(await isTagged(storage, name, d)))) !== undefined;
      if (gone) {
        report.manifests++;
        // Its entry in the subject's referrers list goes after it (a reader skips an entry
        // whose manifest is gone, so a crash between the two leaves only a stale entry).
        const subject = refs.get(d)!.subject;
        if (subject !== undefined && !dryRun) await storage.delete(referrerKey(name, subject, d));
        crashPoint('gc-manifest-deleted');
      } else {
        remaining.add(d);
      }
    }

    const named = new Set<string>();
    for (const d of remaining) for (const n of [d, ...refs.get(d)!.blobs, ...refs.get(d)!.manifests]) named.add(n);
    for (const n of named) keepBlobs.add(n);
    for (const d of repo.links) {
      const key = repoBlobKey(name, d);
      if (named.has(d) || (await remove(d, key)) === undefined) {
        linksLeft.add(d);
        continue;
      }
      report.links++;
      crashPoint('gc-link-deleted');
    }
  }

  // Blobs no repository links any more. A dry run counts the links it would have deleted
  // as gone; a real one lists the links again, to see those made while it ran.
  const linked = dryRun ? linksLeft : new Set([...(await scan(storage, { tags: false })).values()].flatMap((r) => [...r.links]));
  for (const key of await storage.list('blobs/')) {
    const digest = digestOfPath(key.slice('blobs/'.length));
    if (linked.has(digest) || keepBlobs.has(digest)) continue;
    const size = await remove(digest, key);
    if (size === undefined) continue;
    report.blobs++;
    report.bytes += size;
  }
  report.durationMs = now() - started;
  return report;
}

/** Every repository's manifests, tags (→ digest, unless `tags` is false) and blob links. */
async function scan(storage: StorageDriver, options: { tags?: boolean } = {}): Promise<Map<string, Repository>> {
  const repositories = new Map<string, Repository>();
  for (const key of await storage.list('repositories/')) {
    const m = repoKey.exec(key);
    if (m === null) continue;
    const [, name, kind, rest] = m as unknown as [string, string, string, string];
    let repo = repositories.get(name);
    if (repo === undefined) repositories.set(name, (repo = { manifests: new Set(), tags: new Map(), links: new Set() }));
    if (kind === 'manifests') repo.manifests.add(digestOfPath(rest));
    else if (kind === 'blobs') repo.links.add(digestOfPath(rest));
    else if (options.tags !== false) {
      const target = (await storage.get(key))?.toString('utf8');
      if (target !== undefined) repo.tags.set(rest, target);
    }
  }
  return repositories;
}

/** The manifests kept from `roots`: an index keeps its entries, a kept subject its referrers. */
function mark(manifests: ReadonlySet<string>, roots: Iterable<string>, refs: ReadonlyMap<string, ManifestRefs>): Set<string> {
  const referrers = new Map<string, string[]>();
  for (const d of manifests) {
    const subject = refs.get(d)!.subject;
    if (subject !== undefined) referrers.set(subject, [...(referrers.get(subject) ?? []), d]);
  }
  const marked = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (marked.has(d) || !manifests.has(d)) continue;
    marked.add(d);
    stack.push(...refs.get(d)!.manifests, ...(referrers.get(d) ?? []));
  }
  return marked;
}

/** Unmarked manifests, each before the ones it names (entries, subject): reverse DFS post-order. */
function deletionOrder(manifests: ReadonlySet<string>, marked: ReadonlySet<string>, refs: ReadonlyMap<string, ManifestRefs>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (d: string): void => {
    if (seen.has(d) || marked.has(d) || !manifests.has(d)) return;
    seen.add(d);
    const r = refs.get(d)!;
    for (const next of [...r.manifests, ...(r.subject === undefined ? [] : [r.subject])]) visit(next);
    order.push(d);
  };
  for (const d of [...manifests].sort()) visit(d);
  return order.reverse();
}

async function isTagged(storage: StorageDriver, name: string, digest: string): Promise<boolean> {
  for (const key of await storage.list(tagsPrefix(name))) if ((await storage.get(key))?.toString('utf8') === digest) return true;
  return false;
}
