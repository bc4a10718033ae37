// Artifacts and caches through the object store, on files and on a real S3 endpoint
// (s3rver): streamed in and out, atomic (a failed or refused upload leaves no object and no
// row), the first save of a cache wins, and archives written as files before the object
// store are still read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import { migrate, openDatabase } from '../../store/database.ts';
import { createStore, type Store } from '../../store/store.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { createFsDriver } from '../../storage/fs/fs-driver.ts';
import { createS3Driver } from '../../storage/s3/s3-driver.ts';
import { startTestS3, type TestS3 } from '../../../test/support/s3rver.ts';
import { runOutputFiles } from './in-process-files.ts';

/** `n` bytes of a repeatable pattern, produced a MiB at a time (never whole in memory). */
function* pattern(n: number, failAt?: number): Generator<Buffer> {
  const mib = Buffer.alloc(1 << 20, 'slipway-');
  for (let sent = 0; sent < n; sent += mib.length) {
    if (failAt !== undefined && sent >= failAt) throw new Error('the runner went away');
    yield mib.subarray(0, Math.min(mib.length, n - sent));
  }
}
const stream = (n: number, failAt?: number) => Readable.from(pattern(n, failAt));

async function sha(s: NodeJS.ReadableStream | undefined): Promise<string> {
  assert.ok(s, 'an archive');
  const h = createHash('sha256');
  for await (const c of s) h.update(c as Buffer);
  return h.digest('hex');
}
const expected = async (n: number) => sha(stream(n));

function suite(name: string, open: () => Promise<{ storage: StorageDriver; close: () => Promise<void> }>): void {
  void describe(`artifacts and caches on ${name}`, () => {
    let storage: StorageDriver;
    let close: () => Promise<void>;
    let store: Store;
    let dataDir: string;
    let files: ReturnType<typeof runOutputFiles>;
    let jobId: string;
    let runId: string;
    let projectId: string;
    before(async () => {
      ({ storage, close } = await open());
      const db = openDatabase({ sqlitePath: ':memory:' });
      await migrate(db);
      store = createStore(db);
      dataDir = mkdtempSync(join(tmpdir(), 'slipway-outputs-test-'));
      files = runOutputFiles(store, { storage, dataDir });
      const project = await store.projects.ensure('demo');
      projectId = project.id;
      const run = await store.runs.create({ projectId, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40), jobs: [{ key: 'j', name: 'j', needs: [], runsOn: ['local'] }] });
      runId = run.id;
      jobId = (await store.runs.jobs(run.id))[0]!.id;
    });
    after(async () => {
      await store.db.destroy();
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('an artifact streams in and back out whole, stored under artifacts/<run>/', async () => {
      const size = 12 << 20; // more than one S3 multipart part
      assert.deepEqual(await files.uploadArtifact(jobId, 'dist files', stream(size)), { size });
      assert.equal(await sha(await files.downloadArtifact(jobId, 'dist files')), await expected(size));
      const keys = await storage.list(`artifacts/${runId}/`);
      assert.equal(keys.length, 1);
      assert.equal((await store.runOutputs.artifact(runId, 'dist files'))?.path, keys[0]);
    });

    it('an upload that fails mid-stream leaves no object and no row; the name stays free', async () => {
      await assert.rejects(files.uploadArtifact(jobId, 'broken', stream(9 << 20, 6 << 20)), /the runner went away/);
      assert.equal(await store.runOutputs.artifact(runId, 'broken'), undefined);
      assert.equal(await files.downloadArtifact(jobId, 'broken'), undefined);
      assert.equal((await storage.list(`artifacts/${runId}/`)).length, 1, 'only the first test’s artifact');
      await files.uploadArtifact(jobId, 'broken', stream(1000));
      assert.equal(await sha(await files.downloadArtifact(jobId, 'broken')), await expected(1000));
    });

    it('two uploads of one name racing: one wins, the other gets CONFLICT and removes its own object', async () => {
      const results = await Promise.allSettled([files.uploadArtifact(jobId, 'twice', stream(3 << 20)), files.uploadArtifact(jobId, 'twice', stream(2 << 20))]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(results.some((r) => r.status === 'rejected' && isSlipwayError(r.reason, 'CONFLICT')));
      const row = await store.runOutputs.artifact(runId, 'twice');
      assert.equal(await sha(await files.downloadArtifact(jobId, 'twice')), await expected(row!.size));
      assert.equal((await storage.list(`artifacts/${runId}/`)).length, 3, 'dist files, broken, twice');
    });

    it('caches: saved under caches/<project>/, restored by exact key then prefix; the first save wins', async () => {
      await files.saveCache(jobId, 'deps-v1-abc', stream(2 << 20));
      await files.saveCache(jobId, 'deps-v1-abc', stream(5)); // ignored
      const exact = await files.restoreCache(jobId, ['deps-v1-abc']);
      assert.equal(exact?.key, 'deps-v1-abc');
      assert.equal(await sha(exact?.archive), await expected(2 << 20));
      const byPrefix = await files.restoreCache(jobId, ['deps-v2-x', 'deps-v1-']);
      assert.equal(byPrefix?.key, 'deps-v1-abc');
      await sha(byPrefix?.archive);
      assert.equal(await files.restoreCache(jobId, ['other-']), undefined);
      assert.equal((await storage.list(`caches/${projectId}/`)).length, 1);
    });

    it('a cache whose object is gone is a miss, not an error', async () => {
      await files.saveCache(jobId, 'lost-1', stream(10));
      const row = await store.runOutputs.cache(projectId, 'lost-1');
      await storage.delete(row!.path);
      assert.equal(await files.restoreCache(jobId, ['lost-1']), undefined);
    });

    it('an artifact written as a file before the object store is still downloaded', async () => {
      const path = join('artifacts', runId, 'old report.tgz');
      mkdirSync(join(dataDir, 'artifacts', runId), { recursive: true });
      writeFileSync(join(dataDir, path), 'legacy bytes');
      await store.runOutputs.addArtifact({ run_id: runId, job_id: jobId, name: 'old report', size: 12, path });
      const legacy = await files.downloadArtifact(jobId, 'old report');
      assert.equal(await sha(legacy), createHash('sha256').update('legacy bytes').digest('hex'));
    });
  });
}

suite('files', async () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-outputs-fs-'));
  return { storage: createFsDriver({ root }), close: async () => rmSync(root, { recursive: true, force: true }) };
});

let s3: TestS3 | undefined;
suite('S3 (s3rver)', async () => {
  s3 = await startTestS3('slipway-outputs');
  return { storage: createS3Driver({ ...s3.options, prefix: 'p/', partSize: 5 << 20 }), close: async () => s3?.close() };
});
