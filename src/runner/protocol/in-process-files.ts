// The in-process RunnerApi's artifacts and caches: tar.gz archives streamed into the object
// store (output-objects.ts: files in the data dir, or a bucket), never held in memory, with
// their metadata in the store. A write is atomic (the driver's writeAtomic), and an object
// whose row could not be recorded is removed, so a failed upload leaves nothing behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Store } from '../../store/store.ts';
import type { Run } from '../../store/repos/runs.ts';
import type { RunnerApi } from './runner-api.ts';
import { SlipwayError } from '../../core/errors.ts';
import { cleanUpAfter } from '../../core/clean-up-after.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { createFsDriver } from '../../storage/fs/fs-driver.ts';
import { artifactKey, cacheKey, readOutput, type OutputObjects } from './output-objects.ts';

type Files = Pick<RunnerApi, 'uploadArtifact' | 'listArtifacts' | 'downloadArtifact' | 'restoreCache' | 'saveCache'>;

/** actions/upload-artifact v4 rejects these in names (they break paths on some systems). */
const badNameChars = /["':<>|*?\r\n\\/]/;

function validArtifactName(name: string): boolean {
  return name.trim() !== '' && name.length <= 255 && !badNameChars.test(name) && name !== '.' && name !== '..';
}

/** The run a job belongs to (the runner API names jobs only). */
export async function runOfJob(store: Store, jobId: string): Promise<Run> {
  const job = await store.runs.job(jobId);
  if (!job) throw new SlipwayError('NOT_FOUND', `job ${jobId} not found`);
  return store.runs.require(job.run_id);
}

/**
 * `storage` is the server's shared object store. Without one (unit tests, a local `slipway
 * run`), archives are files under DATA/storage, or a temp dir for this process.
 */
export function runOutputFiles(store: Store, options: { storage?: StorageDriver; dataDir?: string }): Files {
  let storage = options.storage;
  const objects = (): OutputObjects => {
    storage ??= createFsDriver({ root: options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'slipway-outputs-')) : join(options.dataDir, 'storage') });
    return { storage, legacyDir: options.dataDir };
  };
  /** Streams `archive` to a new object, then records it; a refused record removes the object. */
  async function keep(key: string, archive: NodeJS.ReadableStream, record: (size: number) => Promise<boolean>): Promise<number> {
    const { storage } = objects();
    const size = await storage.writeAtomic(key, archive as Readable);
    let kept: boolean;
    try {
      kept = await record(size);
    } catch (err) {
      throw await cleanUpAfter(err, () => storage.delete(key));
    }
    if (!kept) await storage.delete(key);
    return size;
  }
  return {
    async uploadArtifact(jobId, name, archive) {
      if (!validArtifactName(name)) throw new SlipwayError('INVALID_NAME', `invalid artifact name "${name}": it may not be empty or contain " : < > | * ? \\ / or line breaks`);
      const run = await runOfJob(store, jobId);
      const conflict = () => new SlipwayError('CONFLICT', `an artifact named "${name}" already exists in this run; artifact names are unique per run`);
      if (await store.runOutputs.artifact(run.id, name)) throw conflict();
      const path = artifactKey(run.id, name);
      const size = await keep(path, archive, async (size) => {
        // Another upload of the name may have finished while this one streamed.
        if (await store.runOutputs.artifact(run.id, name)) throw conflict();
        await store.runOutputs.addArtifact({ run_id: run.id, job_id: jobId, name, size, path });
        return true;
      });
      return { size };
    },
    async listArtifacts(jobId) {
      const run = await runOfJob(store, jobId);
      return (await store.runOutputs.artifacts(run.id)).map((a) => ({ name: a.name, size: a.size }));
    },
    async downloadArtifact(jobId, name) {
      const run = await runOfJob(store, jobId);
      const a = await store.runOutputs.artifact(run.id, name);
      return a ? readOutput(objects(), a.path) : undefined;
    },
    async restoreCache(jobId, keys) {
      const run = await runOfJob(store, jobId);
      // actions/cache: each key in order, exact match first, then the newest key with that prefix.
      for (const key of keys) {
        const hit = (await store.runOutputs.cache(run.project_id, key)) ?? (await store.runOutputs.cacheByPrefix(run.project_id, key));
        const archive = hit && (await readOutput(objects(), hit.path));
        if (hit && archive) {
          await store.runOutputs.touchCache(hit.id);
          return { key: hit.key, archive };
        }
      }
      return undefined;
    },
    async saveCache(jobId, key, archive) {
      const run = await runOfJob(store, jobId);
      if (await store.runOutputs.cache(run.project_id, key)) {
        (archive as Readable).resume(); // Caches are immutable: the first save of a key wins.
        return;
      }
      const path = cacheKey(run.project_id, key);
      await keep(path, archive, (size) => store.runOutputs.addCache({ project_id: run.project_id, key, size, path }));
    },
  };
}
