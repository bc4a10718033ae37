// A remote runner's cache of action trees, by commit SHA (DIR/actions/<sha>): the HTTP
// transport's half of RunnerApi.resolveAction. The server answers a resolution with the
// commit and the size and SHA-256 of its tree's archive; a tree this runner has is used as
// it is, so a second job using the action downloads nothing; trees unused for long are pruned. Otherwise the archive is
// streamed into a temp file (cut off past the announced size), its digest checked, its
// members checked (tar-check.ts: nothing lands outside the tree), unpacked in a temp dir
// and renamed into place: a tree in the cache is always whole and verified.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.ts';
import { renameUnlessThere } from '../../core/atomic-write.ts';
import { checkArchive } from '../actions/tar-check.ts';
import { extractTarGz } from '../actions/archive.ts';
import { pruneUnused, shaNamed, touchUsed } from '../../git/actions/action-cache-prune.ts';

/** What the server answers for one resolution (src/server/routes/runner-protocol-actions.ts): the commit and its tree's archive. */
export interface ActionTreeAnswer {
  sha: string;
  /** The action source that had it (`instance`, `github`, …). */
  source: string;
  archive: { bytes: number; sha256: string };
}

export class ActionTreeCache {
  readonly #dir: () => Promise<string>;
  /** Downloads under way, by SHA: two jobs of this runner needing one tree fetch it once. */
  readonly #fetching = new Map<string, Promise<string>>();
  /** The SHAs each job this runner holds resolved: never pruned while it runs. */
  readonly #held = new Map<string, Set<string>>();

  /** `dir` answers the folder holding the trees; it is made when the first tree is fetched. */
  constructor(dir: () => Promise<string>) {
    this.#dir = dir;
  }

  /** The tree of `answer.sha` for job `jobId`, fetched with `download` unless this runner has it. */
  async tree(jobId: string, answer: ActionTreeAnswer, download: () => Promise<NodeJS.ReadableStream>): Promise<{ tree: string; cached: boolean }> {
    if (!/^[0-9a-f]{40,64}$/.test(answer.sha)) throw new SlipwayError('ACTION_UNRESOLVED', `the server answered an invalid commit SHA: ${answer.sha}`);
    const held = this.#held.get(jobId) ?? new Set();
    this.#held.set(jobId, held.add(answer.sha));
    const final = join(await this.#dir(), answer.sha);
    // Marked used (action-cache-prune.ts), if it is here.
    if (await touchUsed(final)) return { tree: final, cached: true };
    let fetching = this.#fetching.get(answer.sha);
    if (!fetching) {
      fetching = this.#fetch(answer, final, download).finally(() => this.#fetching.delete(answer.sha));
      this.#fetching.set(answer.sha, fetching);
    }
    return { tree: await fetching, cached: false };
  }

  /** Job `jobId` ended: its trees may be pruned once unused for long enough. */
  release(jobId: string): void {
    this.#held.delete(jobId);
  }

  /** Removes the trees unused for `maxAgeMs` that no held job resolved; answers their SHAs. */
  async prune(maxAgeMs: number): Promise<string[]> {
    const inUse = new Set([...this.#held.values()].flatMap((shas) => [...shas]));
    return pruneUnused(await this.#dir(), shaNamed, { maxAgeMs, inUse });
  }

  async #fetch(answer: ActionTreeAnswer, final: string, download: () => Promise<NodeJS.ReadableStream>): Promise<string> {
    const dir = await this.#dir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const work = await mkdtemp(join(dir, '.tmp-'));
    try {
      const file = join(work, 'tree.tar.gz');
      const got = await saveCounted(await download(), file, answer.archive.bytes);
      const what = `the tree of action commit ${answer.sha}`;
      if (got.bytes !== answer.archive.bytes || got.sha256 !== answer.archive.sha256) {
        throw new SlipwayError('ACTION_UNRESOLVED', `${what} arrived damaged: ${got.bytes} bytes with SHA-256 ${got.sha256}, expected ${answer.archive.bytes} bytes with SHA-256 ${answer.archive.sha256}`);
      }
      const tree = join(work, 'tree');
      await mkdir(tree, { mode: 0o755 });
      await checkArchive(file, tree, [tree], what);
      await extractTarGz(createReadStream(file), tree);
      // Another runner process on this data dir may get there first: its tree is the same verified one.
      await renameUnlessThere(tree, final);
      return final;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** Writes `input` to `file`, counting and hashing; more than `limit` bytes is refused as it arrives. */
async function saveCounted(input: NodeJS.ReadableStream, file: string, limit: number): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > limit) return done(new SlipwayError('ACTION_UNRESOLVED', `the action tree being downloaded is larger than the ${limit} bytes the server announced`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(input as Readable, count, createWriteStream(file, { mode: 0o600 }));
  return { bytes, sha256: hash.digest('hex') };
}
