// Ended logs move into the object store, on files and on a real S3 endpoint (s3rver), with
// SQLite and PostgreSQL: every read (whole, paged by seq from anywhere, last seq, open
// groups) gives the same chunks before and after; a chunk retried after the move is not
// stored twice; later chunks are merged by the next pass; and a crash between writing the
// object and deleting the rows (a real SIGKILL of another process) loses nothing: the rows
// stay, and the start-up pass archives them again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { migrate, openDatabase, type Db } from '../database.ts';
import { createStore, type Store } from '../store.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { createFsDriver } from '../../storage/fs/fs-driver.ts';
import { createS3Driver, type S3DriverOptions } from '../../storage/s3/s3-driver.ts';
import { startTestS3, type TestS3 } from '../../../test/support/s3rver.ts';
import { startPostgres, type TestPostgres } from '../test-postgres.ts';

const exec = promisify(execFile);
const child = new URL('../../../test/support/log-archive-child.ts', import.meta.url).pathname;

interface Backend {
  name: string;
  /** The object store, and how a child process reaches it. */
  objects: () => Promise<{ driver: StorageDriver; spec: { fs: string } | { s3: S3DriverOptions }; close: () => Promise<void> }>;
  /** A migrated database, and how a child process opens it. */
  database: () => Promise<{ db: Db; connect: Parameters<typeof openDatabase>[0]; close: () => Promise<void> }>;
}

async function everyRead(store: Store, stream: string) {
  const last = await store.logs.lastSeq(stream);
  const whole = (await store.logs.read(stream)).map((c) => [c.seq, c.text, c.created_at]);
  const pages: unknown[] = [];
  for (const after of [-1, 0, 1, 7, 63, 64, 500, 1998, last - 1, last]) for (const limit of [1, 8, 1000]) pages.push((await store.logs.read(stream, after, limit)).map((c) => c.seq));
  return { last, whole, pages, groups: await store.logs.openGroups(stream) };
}

/** Chunks of ~1 KiB, so the archive's offset index has many entries; numbering with a gap, as a writer's retries may leave. */
async function writeLog(store: Store, stream: string, n: number) {
  for (let seq = 0; seq < n; seq++) {
    if (seq === 40) continue;
    const text = seq % 500 === 0 ? `##[group]step ${seq}\n` : `${seq} ${'x'.repeat(1000)} "quoted" \\ ünïcødé\n`;
    assert.equal(await store.logs.append(stream, seq, text), true);
  }
}

const rowCount = async (db: Db, stream: string) => Number((await db.selectFrom('log_chunks').select((eb) => eb.fn.countAll().as('n')).where('stream', '=', stream).executeTakeFirstOrThrow()).n);

function suite(b: Backend): void {
  void describe(`log archive: ${b.name}`, () => {
    let objects: Awaited<ReturnType<Backend['objects']>>;
    let database: Awaited<ReturnType<Backend['database']>>;
    let store: Store;
    before(async () => {
      objects = await b.objects();
      database = await b.database();
      store = createStore(database.db, { objects: objects.driver });
    });
    after(async () => {
      await database?.close();
      await objects?.close();
    });

    it('an archived log reads as it did from the database, whole and paged from anywhere; its rows are gone', async () => {
      const stream = 'job:job_archived';
      await writeLog(store, stream, 2000);
      const before = await everyRead(store, stream);
      assert.equal(await store.logs.archive(stream), true);
      assert.equal(await rowCount(database.db, stream), 0);
      assert.deepEqual(await objects.driver.list('logs/job:job_archived/'), ['logs/job:job_archived/1999.ndjson']);
      assert.deepEqual(await everyRead(store, stream), before);
      assert.equal(await store.logs.archive(stream), false, 'nothing more to move');
    });

    it('a chunk retried after the move is not stored again; a later chunk is read after the archive and merged by the next pass', async () => {
      const stream = 'deployment:dep_late';
      await writeLog(store, stream, 100);
      await store.logs.archive(stream);
      assert.equal(await store.logs.append(stream, 99, 'retried'), false);
      assert.equal(await store.logs.append(stream, 40, 'the gap, late'), false, 'below the archived end: refused, not doubled');
      assert.equal(await store.logs.append(stream, 100, 'late line\n'), true);
      assert.equal(await store.logs.lastSeq(stream), 100);
      const withTail = await everyRead(store, stream);
      assert.deepEqual(withTail.whole.at(-1)?.slice(0, 2), [100, 'late line\n']);
      assert.deepEqual((await store.logs.read(stream, 98, 8)).map((c) => c.seq), [99, 100]);
      assert.equal(await store.logs.archive(stream), true);
      assert.deepEqual(await objects.driver.list('logs/deployment:dep_late/'), ['logs/deployment:dep_late/100.ndjson'], 'the first version is removed');
      assert.deepEqual(await everyRead(store, stream), withTail);
    });

    it('the start-up pass archives ended streams only', async () => {
      const project = await store.projects.ensure(`p-${b.name.replace(/\W/g, '').toLowerCase()}`);
      const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40), jobs: [{ key: 'j', name: 'j', needs: [], runsOn: ['x'] }] });
      const running = `job:${(await store.runs.jobs(run.id))[0]!.id}`;
      await store.logs.append(running, 0, 'still going\n');
      await store.logs.append('job:job_gone', 0, 'a job that no longer exists\n');
      assert.equal(await store.logs.archiveEnded(), 1);
      assert.equal(await rowCount(database.db, running), 1);
      assert.equal(await rowCount(database.db, 'job:job_gone'), 0);
      assert.deepEqual((await store.logs.read('job:job_gone')).map((c) => c.text), ['a job that no longer exists\n']);
    });

    it('killed between writing the archive and deleting the rows: nothing lost, the rows archived again at start-up', async () => {
      const stream = 'job:job_crashed';
      await writeLog(store, stream, 300);
      const before = await everyRead(store, stream);
      await assert.rejects(
        exec(process.execPath, [child, JSON.stringify(database.connect), JSON.stringify(objects.spec), stream], { env: { ...process.env, SLIPWAY_CRASH_AT: 'log-archived' } }),
        (err: { signal?: string }) => err.signal === 'SIGKILL',
      );
      assert.deepEqual(await objects.driver.list('logs/job:job_crashed/'), ['logs/job:job_crashed/299.ndjson'], 'the object was written');
      assert.equal(await rowCount(database.db, stream), 299, 'the rows are all still there');
      assert.deepEqual(await everyRead(store, stream), before);
      // The restarted server's pass (a fresh store over the same database and bucket).
      const restarted = createStore(database.db, { objects: objects.driver });
      assert.equal(await restarted.logs.archiveEnded(), 1);
      assert.equal(await rowCount(database.db, stream), 0);
      assert.deepEqual(await objects.driver.list('logs/job:job_crashed/'), ['logs/job:job_crashed/299.ndjson']);
      assert.deepEqual(await everyRead(restarted, stream), before);
    });
  });
}

const sqliteFile = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-log-archive-db-'));
  const sqlitePath = join(dir, 'slipway.db');
  const db = openDatabase({ sqlitePath });
  await migrate(db);
  return { db, connect: { sqlitePath }, close: async () => (await db.destroy(), rmSync(dir, { recursive: true, force: true })) };
};
const filesStore = async () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-log-archive-objects-'));
  return { driver: createFsDriver({ root }), spec: { fs: root }, close: async () => rmSync(root, { recursive: true, force: true }) };
};
let s3: TestS3 | undefined;
const bucket = async () => {
  s3 ??= await startTestS3('slipway-logs');
  const options = { ...s3.options, prefix: 'logs-test/' };
  return { driver: createS3Driver(options), spec: { s3: options }, close: async () => {} };
};
let pg: TestPostgres | undefined;
after(async () => {
  await s3?.close();
  await pg?.stop();
});

suite({ name: 'files, SQLite', objects: filesStore, database: sqliteFile });
suite({ name: 'S3 (s3rver), SQLite', objects: bucket, database: sqliteFile });
suite({
  name: 'S3 (s3rver), PostgreSQL',
  objects: bucket,
  async database() {
    pg ??= await startPostgres();
    const connect = { url: await pg.database() };
    const db = openDatabase(connect);
    await migrate(db);
    return { db, connect, close: () => db.destroy() };
  },
});
