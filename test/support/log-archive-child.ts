// A separate process for the log archive's crash test (src/store/repos/log-archive.test.ts):
// opens the store on the database (SQLite file or PostgreSQL URL) and the object store the parent names, and archives one
// stream. With SLIPWAY_CRASH_AT=log-archived it is killed (SIGKILL) once the object is
// written, before the chunks are deleted, as a power cut would.
import { openDatabase } from '../../src/store/database.ts';
import { createStore } from '../../src/store/store.ts';
import { createFsDriver } from '../../src/storage/fs/fs-driver.ts';
import { createS3Driver, type S3DriverOptions } from '../../src/storage/s3/s3-driver.ts';

const [database, storage, stream] = process.argv.slice(2) as [string, string, string];
const spec = JSON.parse(storage) as { fs: string } | { s3: S3DriverOptions };
const objects = 'fs' in spec ? createFsDriver({ root: spec.fs }) : createS3Driver(spec.s3);
const db = openDatabase(JSON.parse(database) as Parameters<typeof openDatabase>[0]);
await createStore(db, { objects }).logs.archive(stream);
await db.destroy();
