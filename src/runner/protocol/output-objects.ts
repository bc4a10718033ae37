// Where a run's artifacts and a project's caches live: tar.gz archives in the shared object
// store (src/storage), under `artifacts/<run>/…` and `caches/<project>/…`. The store's rows
// keep each archive's key in `path`. Archives written before the object store existed sit
// as files in the data dir (DATA/artifacts/<run>/<name>.tgz, DATA/caches/…), read from there.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isSlipwayError } from '../../core/errors.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { isValidKey } from '../../storage/key.ts';

export interface OutputObjects {
  storage: StorageDriver;
  /** The data dir, for archives written as files before the object store. */
  legacyDir?: string;
}

/**
 * A fresh key for one archive: the name hashed (names may hold any character a key may not),
 * and a random part, so a second upload racing the first never overwrites what the first
 * recorded and can remove its own object when it loses.
 */
function archiveKey(space: 'artifacts' | 'caches', owner: string, name: string): string {
  return `${space}/${owner}/${createHash('sha256').update(name).digest('hex')}-${randomBytes(6).toString('hex')}.tgz`;
}

export const artifactKey = (runId: string, name: string): string => archiveKey('artifacts', runId, name);
export const cacheKey = (projectId: string, key: string): string => archiveKey('caches', projectId, key);

/** The archive at a row's `path`, streamed; undefined when it is gone. */
export async function readOutput(o: OutputObjects, path: string): Promise<Readable | undefined> {
  if (isValidKey(path)) {
    try {
      return await o.storage.reader(path);
    } catch (err) {
      if (!isSlipwayError(err, 'BLOB_UNKNOWN')) throw err;
    }
  }
  const legacy = o.legacyDir === undefined ? undefined : join(o.legacyDir, path);
  return legacy !== undefined && !path.split('/').includes('..') && existsSync(legacy) ? createReadStream(legacy) : undefined;
}
