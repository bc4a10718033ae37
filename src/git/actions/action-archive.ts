// A resolved action's tree as one file a remote runner downloads (issue 13: runners on other
// hosts get what the built-in runner gets). The cached tree of a commit (action-sources.ts,
// cache/<sha>) is packed once into archives/<sha>.tar.gz, addressed by the commit's SHA,
// with its size and SHA-256 for the runner to verify. The whole repository at that SHA is
// sent, not only the action's path: a composite action may read any file of its repository
// (`${{ github.action_path }}/../lib`), as it can on the built-in runner. A tree larger than
// `actions.maxTreeBytes` is refused, so one action cannot fill a runner's disk.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '../../core/errors.ts';
import { run } from '../../exec/run.ts';
import { touchUsed } from './action-cache-prune.ts';

/** What a runner needs to fetch and check a tree: where it is here, its size and digest. */
export interface ActionArchive {
  path: string;
  bytes: number;
  sha256: string;
}

interface ActionArchivesOptions {
  /** DATA/actions (archives/ goes next to cache/). */
  dir: string;
  /** The most an unpacked tree may hold (sum of its files' sizes). */
  maxTreeBytes: number;
}

const shaPattern = /^[0-9a-f]{40,64}$/;

export class ActionArchives {
  readonly #o: ActionArchivesOptions;
  /** Archives being made or known in this process, by SHA: two jobs resolving one commit share one. */
  readonly #known = new Map<string, Promise<ActionArchive>>();

  constructor(options: ActionArchivesOptions) {
    this.#o = options;
  }

  /** The archive of the tree of `sha` (unpacked at `tree`), made on first use, marked used. Throws ACTION_TOO_LARGE past the limit. */
  async archiveOf(sha: string, tree: string): Promise<ActionArchive> {
    const archive = await this.#once(sha, tree);
    if (await touchUsed(archive.path)) return archive;
    // Pruned since this process made it (action-cache-prune.ts): made again.
    this.#known.delete(sha);
    return this.#once(sha, tree);
  }

  #once(sha: string, tree: string): Promise<ActionArchive> {
    if (!shaPattern.test(sha)) throw new SlipwayError('INTERNAL', `not a commit SHA: ${sha}`);
    let known = this.#known.get(sha);
    if (!known) {
      known = this.#make(sha, tree).catch((err: unknown) => {
        // A failure is not remembered: the next resolution tries again.
        this.#known.delete(sha);
        throw err;
      });
      this.#known.set(sha, known);
    }
    return known;
  }

  /** The archive file of `sha`, if one was made (what the download route streams). */
  pathOf(sha: string): string | undefined {
    if (!shaPattern.test(sha)) return undefined;
    const path = this.#path(sha);
    return existsSync(path) ? path : undefined;
  }

  async #make(sha: string, tree: string): Promise<ActionArchive> {
    const bytes = await treeBytes(tree, this.#o.maxTreeBytes);
    if (bytes > this.#o.maxTreeBytes) {
      throw new SlipwayError('ACTION_TOO_LARGE', `the tree of commit ${sha} holds more than ${mib(this.#o.maxTreeBytes)} (actions.maxTreeBytes): too large to send to a runner`);
    }
    const final = this.#path(sha);
    if (!existsSync(final)) {
      await mkdir(join(this.#o.dir, 'archives'), { recursive: true });
      const work = await mkdtemp(join(this.#o.dir, 'archives', '.tmp-'));
      try {
        const temp = join(work, 'tree.tar.gz');
        const packed = await run(['tar', '-czf', temp, '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '-C', tree, '.']);
        if (packed.exitCode !== 0) throw new SlipwayError('INTERNAL', `packing the tree of ${sha} failed: ${packed.stderr.trim().slice(-500)}`);
        // link, not rename: never replaces an archive another process made (a runner may hold its digest).
        await link(temp, final).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
    return { path: final, bytes: (await stat(final)).size, sha256: await sha256Of(final) };
  }

  #path(sha: string): string {
    return join(this.#o.dir, 'archives', `${sha}.tar.gz`);
  }
}

/** The sum of the sizes of the files under `dir`, counted until it passes `limit`. */
async function treeBytes(dir: string, limit: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    total += (await lstat(join(entry.parentPath, entry.name))).size;
    if (total > limit) break;
  }
  return total;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${bytes} bytes` : `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`);
