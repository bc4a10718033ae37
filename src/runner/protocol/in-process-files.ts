// The in-process RunnerApi's artifacts and caches: tar.gz archives streamed into the data
// dir (DATA/artifacts/<run>/<name>.tgz, DATA/caches/<project>/<sha256(key)>.tgz), never
// held in memory, with their metadata in the store.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Store } from '../../store/store.ts';
import type { Run } from '../../store/repos/runs.ts';
import type { RunnerApi } from './runner-api.ts';
import { SlipwayError } from '../../core/errors.ts';

type Files = Pick<RunnerApi, 'uploadArtifact' | 'listArtifacts' | 'downloadArtifact' | 'restoreCache' | 'saveCache'>;

/** actions/upload-artifact v4 rejects these in names (they break paths on some systems). */
const badNameChars = /["':<>|*?\r\n\\/]/;

function validArtifactName(name: string): boolean {
  return name.trim() !== '' && name.length <= 255 && !badNameChars.test(name) && name !== '.' && name !== '..';
}

/** Streams `input` into `path` through a temp file, so a half-written archive is never seen. */
async function writeAtomically(path: string, input: NodeJS.ReadableStream): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(4).toString('hex')}.part`;
  try {
    await pipeline(input as Readable, createWriteStream(temp, { mode: 0o600 }));
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return statSync(path).size;
}

/** The run a job belongs to (the runner API names jobs only). */
export async function runOfJob(store: Store, jobId: string): Promise<Run> {
  const job = await store.runs.job(jobId);
  if (!job) throw new SlipwayError('NOT_FOUND', `job ${jobId} not found`);
  return store.runs.require(job.run_id);
}

export function runOutputFiles(store: Store, dataDirOption: string | undefined): Files {
  let dataDir = dataDirOption;
  // Without a data dir (a local `slipway run`), archives live in a temp dir for this process.
  const root = () => (dataDir ??= mkdtempSync(join(tmpdir(), 'slipway-outputs-')));
  return {
    async uploadArtifact(jobId, name, archive) {
      if (!validArtifactName(name)) throw new SlipwayError('INVALID_NAME', `invalid artifact name "${name}": it may not be empty or contain " : < > | * ? \\ / or line breaks`);
      const run = await runOfJob(store, jobId);
      if (await store.runOutputs.artifact(run.id, name)) {
        throw new SlipwayError('CONFLICT', `an artifact named "${name}" already exists in this run; artifact names are unique per run`);
      }
      const rel = join('artifacts', run.id, `${name}.tgz`);
      const size = await writeAtomically(join(root(), rel), archive);
      await store.runOutputs.addArtifact({ run_id: run.id, job_id: jobId, name, size, path: rel });
      return { size };
    },
    async listArtifacts(jobId) {
      const run = await runOfJob(store, jobId);
      return (await store.runOutputs.artifacts(run.id)).map((a) => ({ name: a.name, size: a.size }));
    },
    async downloadArtifact(jobId, name) {
      const run = await runOfJob(store, jobId);
      const a = await store.runOutputs.artifact(run.id, name);
      return a ? createReadStream(join(root(), a.path)) : undefined;
    },
    async restoreCache(jobId, keys) {
      const run = await runOfJob(store, jobId);
      // actions/cache: each key in order, exact match first, then the newest key with that prefix.
      for (const key of keys) {
        const hit = (await store.runOutputs.cache(run.project_id, key)) ?? (await store.runOutputs.cacheByPrefix(run.project_id, key));
        if (hit) {
          await store.runOutputs.touchCache(hit.id);
          return { key: hit.key, archive: createReadStream(join(root(), hit.path)) };
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
      const project = await store.projects.byId(run.project_id);
      const rel = join('caches', project?.name ?? run.project_id, `${createHash('sha256').update(key).digest('hex')}.tgz`);
      const size = await writeAtomically(join(root(), rel), archive);
      await store.runOutputs.addCache({ project_id: run.project_id, key, size, path: rel });
    },
  };
}
