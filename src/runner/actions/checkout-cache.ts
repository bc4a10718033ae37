// The runner's copies of commits it checked out lately (issue 13 "Measure": every job
// fetched its commit from the server anew, two git requests and three git processes a job,
// the most a `true` job cost on both sides). A commit is immutable by its id, so the first
// job of a commit on this runner fetches it into the cache and every later one copies that
// checkout into its workspace: no request to the server, no process. Kept per project (a
// job only ever gets a commit its own project's job fetched with its own token), the
// newest `keep` of them; the folder is the runner's own (0700), out of reach of host jobs'
// users and never mounted into a container.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { copyTree } from '../file-tree.ts';

/** Fetches the commit into an empty folder (checkout.ts checkoutCommit). */
type Fetch = (dir: string) => Promise<void>;

const commitId = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class CheckoutCache {
  readonly #dir: string;
  readonly #keep: number;

  constructor(dir: string, keep = 16) {
    this.#dir = dir;
    this.#keep = keep;
  }

  /** Fills `dest` with `sha` of `project`; true when it came from the cache, false when `fetch` fetched it. */
  async checkout(project: string, sha: string, dest: string, fetch: Fetch): Promise<boolean> {
    // Only a full commit id names the same tree for ever (a branch name or short id does not).
    if (!commitId.test(sha)) return fetch(dest).then(() => false);
    const entry = join(this.#dir, `${encodeURIComponent(project)}@${sha}`);
    const cached = existsSync(entry);
    if (!cached) await this.#add(entry, fetch);
    await copyTree(entry, dest);
    const now = new Date();
    await utimes(entry, now, now);
    return cached;
  }

  /** Fetches into a fresh folder and moves it in whole, so a half-made entry is never copied. */
  async #add(entry: string, fetch: Fetch): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const fresh = await mkdtemp(join(this.#dir, '.new-'));
    try {
      await fetch(fresh);
      // Another job of this runner may have added the same commit meanwhile: keep the first.
      // Checking first is not enough: its rename may be under way (then this one is ENOTEMPTY).
      await rename(fresh, entry).catch((err: NodeJS.ErrnoException) => {
        if (!((err.code === 'ENOTEMPTY' || err.code === 'EEXIST') && existsSync(entry))) throw err;
      });
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
    await this.#prune();
  }

  /** Keeps the `keep` most recently used commits. */
  async #prune(): Promise<void> {
    const names = (await readdir(this.#dir)).filter((n) => !n.startsWith('.'));
    if (names.length <= this.#keep) return;
    const used = await Promise.all(names.map(async (n) => ({ n, at: (await stat(join(this.#dir, n))).mtimeMs })));
    used.sort((a, b) => b.at - a.at);
    for (const { n } of used.slice(this.#keep)) await rm(join(this.#dir, n), { recursive: true, force: true });
  }
}
