// The action caches are pruned (issue 13): trees kept by commit SHA — the server's
// DATA/actions/cache/<sha> and archives/<sha>.tar.gz, a remote runner's DIR/actions/<sha> —
// are touched on every use, and one whose last use is older than `actions.cacheMaxAge`
// (default 30 days) goes, unless a job that may still need it holds it (the caller says
// which SHAs: on the server, those recorded by runs not finished; on a runner, those its
// held jobs resolved). Left-over temp dirs of a crash go by the same age. A tree is moved
// aside (one rename) before it is deleted, so nobody ever sees half of one.
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** A day: how often a long-running server or runner prunes (and once at start). */
export const pruneEveryMs = 24 * 3_600_000;

/** What a cache folder holds by SHA: the SHA an entry's name stands for, or undefined for none of ours. */
type ShaOf = (name: string) => string | undefined;

export interface PruneOptions {
  /** Entries unused for longer than this go (0: never prune). */
  maxAgeMs: number;
  /** SHAs a job may still need: kept whatever their age. */
  inUse: ReadonlySet<string>;
  now?: number;
}

/** Marks a cached entry as used now; false when it is not there (pruned, or never made). */
export async function touchUsed(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes the entries of `dir` (named as `shaOf` reads them) unused for `maxAgeMs`; answers the SHAs removed. */
export async function pruneUnused(dir: string, shaOf: ShaOf, o: PruneOptions): Promise<string[]> {
  if (o.maxAgeMs <= 0) return [];
  const now = o.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const sha = shaOf(name);
    const leftover = name.startsWith('.tmp-') || name.startsWith('.pruned-');
    if ((!sha && !leftover) || (sha && o.inUse.has(sha))) continue;
    const path = join(dir, name);
    if (now - (await stat(path)).mtimeMs <= o.maxAgeMs && !name.startsWith('.pruned-')) continue;
    const aside = join(dir, `.pruned-${randomBytes(6).toString('hex')}`);
    try {
      await rename(path, aside);
    } catch (err) {
      // Another process on this data dir pruned it first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
    if (sha) removed.push(sha);
  }
  return removed;
}

/** A folder of entries named by SHA alone (cache/<sha>, a runner's actions/<sha>). */
export const shaNamed: ShaOf = (name) => (/^[0-9a-f]{40,64}$/.test(name) ? name : undefined);

/**
 * Runs `prune` now and then daily until the returned stop is called; a failure is logged,
 * not thrown. `track` gets each pass (a server waits for it before closing its store).
 */
export function schedulePrune(prune: () => Promise<void>, log: (message: string) => void, track: (pass: Promise<void>) => void = () => {}): () => void {
  const once = () => track(prune().catch((err: unknown) => log(`action cache prune: ${(err as Error).stack ?? String(err)}`)));
  once();
  const timer = setInterval(once, pruneEveryMs).unref();
  return () => clearInterval(timer);
}
