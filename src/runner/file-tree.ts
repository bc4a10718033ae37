// A job's folders copied in and removed: the checkout copied from the runner's cache at its
// start (actions/checkout-cache.ts), its folder removed at its end (job-close.ts). By hand,
// with the synchronous calls in slices, because both of Node's ways cost more than the
// job's step: fs/promises (and fs.rm) send every call to libuv's thread pool and back, two
// thread wake-ups a call (a 49-entry checkout copied and removed: 9.5 ms of CPU, against
// 5.2 ms for the same calls made directly; `node bench/file-tree.ts`), and rmSync or a
// plain synchronous copy would hold the event loop for the whole tree, which in the
// built-in runner is the server's (a checkout of 50,000 files: seconds). So the calls are
// made directly and the loop gets its turn every `sliceCalls` entries.
import { copyFileSync, mkdirSync, readdirSync, readlinkSync, rmdirSync, symlinkSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Entries handled between two turns of the event loop: ~1–2 ms of calls. */
const sliceCalls = 64;

function slicer(): () => Promise<void> {
  let calls = 0;
  return async () => {
    if (++calls % sliceCalls === 0) await nextTurn();
  };
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Copies the folder `from` into `to` (which may exist): folders, files with their modes
 * (copyFileSync keeps them) and symbolic links as links; anything else is left out.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  const turn = slicer();
  const folders: [string, string][] = [[from, to]];
  for (let next = folders.pop(); next; next = folders.pop()) {
    const [src, dst] = next;
    mkdirSync(dst, { recursive: true });
    for (const e of readdirSync(src, { withFileTypes: true })) {
      const [s, d] = [join(src, e.name), join(dst, e.name)];
      if (e.isDirectory()) folders.push([s, d]);
      else if (e.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
      else if (e.isFile()) copyFileSync(s, d);
      await turn();
    }
  }
}

/**
 * Removes `root` and everything under it, as `rm -rf`: links are removed, never followed;
 * a missing root (or entry, gone meanwhile) is no error.
 */
export async function removeTree(root: string): Promise<void> {
  const turn = slicer();
  const remove = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (err) {
      if (missing(err)) return;
      // The root is a file or a link: removed as such.
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return unlinkSync(folder);
      throw err;
    }
    for (const e of entries) {
      const path = join(folder, e.name);
      if (e.isDirectory()) await remove(path);
      else {
        try {
          unlinkSync(path);
        } catch (err) {
          if (!missing(err)) throw err;
        }
      }
      await turn();
    }
    try {
      rmdirSync(folder);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  };
  await remove(root);
}
