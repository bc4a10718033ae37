// Making a file or directory appear whole or not at all: it is built at a temporary path on
// the target's filesystem and renamed into place (rename(2) is atomic within one filesystem),
// so a reader sees the old target or the whole new one, never a part.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cleanUpAfter } from './clean-up-after.ts';

/**
 * Calls `build` with a fresh path `tmpDir/.tmp-<uuid>` (nothing there yet; `tmpDir` must be on
 * `target`'s filesystem), then renames it onto `target`, creating target's parent
 * directories. If `build` or the rename fails, whatever `build` left at the temp path is
 * removed and the error rethrown. Resolves to what `build` resolved to.
 */
export async function writeAtomically<T>(target: string, tmpDir: string, build: (tmpPath: string) => Promise<T>): Promise<T> {
  await mkdir(tmpDir, { recursive: true });
  const tmpPath = join(tmpDir, `.tmp-${randomUUID()}`);
  try {
    const result = await build(tmpPath);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmpPath, target);
    return result;
  } catch (err) {
    throw await cleanUpAfter(err, () => rm(tmpPath, { recursive: true, force: true }));
  }
}

/**
 * Renames `from` onto `to` where whoever gets there first wins: content addressed by its
 * name (a tree by commit SHA) is the same whoever made it, so if the rename fails because
 * another writer's `to` now exists (a directory is never replaced), theirs is kept. Any
 * other failure is thrown.
 */
export async function renameUnlessThere(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if (!existsSync(to)) throw err;
  }
}
