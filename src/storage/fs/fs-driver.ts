// Storage on the local filesystem. Layout under `root`:
//   objects/<key>        one file per key
//   uploads/<id>         bytes of an upload session so far
//   tmp/.tmp-<uuid>      writes in progress (same filesystem, so rename is atomic)
// Every write is fsynced before the rename that makes it visible, so a crash leaves either
// the old object or the whole new one (plus, at worst, a stray file in tmp/).
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { writeAtomically } from '../../core/atomic-write.ts';
import { cleanUpAfter } from '../../core/clean-up-after.ts';
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import type { ErrorCode } from '../../core/errors.ts';
import type { ByteRange, ByteSource, ObjectInfo, StorageDriver } from '../driver.ts';
import { assertKey, assertPrefix, assertUploadId } from '../key.ts';

export function createFsDriver(options: { root: string }): StorageDriver {
  const objects = join(options.root, 'objects');
  const uploads = join(options.root, 'uploads');
  const tmp = join(options.root, 'tmp');
  const objectPath = (key: string): string => (assertKey(key), join(objects, key));
  const uploadPath = (id: string): string => (assertUploadId(id), join(uploads, id));

  /** Moves a finished upload into place, creating the key's parent directories. */
  async function publish(from: string, key: string): Promise<void> {
    const to = objectPath(key);
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  }

  async function writeAtomic(key: string, source: ByteSource | Iterable<Uint8Array>): Promise<number> {
    const target = objectPath(key);
    try {
      return await writeAtomically(target, tmp, async (path) => {
        const fh = await open(path, 'wx');
        let size: number;
        try {
          size = await streamInto(fh, source, 0);
        } catch (err) {
          throw await cleanUpAfter(err, () => fh.close());
        }
        await fh.close();
        return size;
      });
    } catch (err) {
      throw translate(err, `write ${key}`);
    }
  }

  return {
    name: 'fs',

    async stat(key: string): Promise<ObjectInfo | undefined> {
      try {
        const s = await stat(objectPath(key));
        return s.isFile() ? { size: s.size, modified: s.mtimeMs } : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw translate(err, `stat ${key}`);
      }
    },

    async reader(key: string, range?: ByteRange): Promise<Readable> {
      return openReader(objectPath(key), 'BLOB_UNKNOWN', key, range);
    },

    writeAtomic,

    async put(key: string, data: Uint8Array): Promise<void> {
      await writeAtomic(key, [data]);
    },

    async get(key: string): Promise<Buffer | undefined> {
      try {
        return await readFile(objectPath(key));
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw translate(err, `get ${key}`);
      }
    },

    async list(prefix: string): Promise<string[]> {
      assertPrefix(prefix);
      const dir = join(objects, prefix.slice(0, prefix.lastIndexOf('/') + 1));
      try {
        const entries = await readdir(dir, { recursive: true, withFileTypes: true });
        return entries
          .filter((e) => e.isFile())
          .map((e) => relative(objects, join(e.parentPath, e.name)).split(sep).join('/'))
          .filter((key) => key.startsWith(prefix))
          .sort();
      } catch (err) {
        if (isMissing(err)) return [];
        throw translate(err, `list ${prefix}`);
      }
    },

    async delete(key: string): Promise<boolean> {
      try {
        await unlink(objectPath(key));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw translate(err, `delete ${key}`);
      }
    },

    async createUpload(): Promise<string> {
      const id = randomUUID();
      try {
        await mkdir(uploads, { recursive: true });
        await (await open(join(uploads, id), 'wx')).close();
        return id;
      } catch (err) {
        throw translate(err, 'create upload');
      }
    },

    async appendUpload(id: string, source: ByteSource): Promise<number> {
      let fh: FileHandle;
      try {
        fh = await open(uploadPath(id), 'r+');
      } catch (err) {
        throw translate(err, `upload ${id}`, 'BLOB_UPLOAD_UNKNOWN');
      }
      let before = -1;
      let size: number;
      try {
        before = (await fh.stat()).size;
        size = before + (await streamInto(fh, source, before));
      } catch (err) {
        // Leave the session as it was, so the client can retry the chunk.
        const restore = async (): Promise<void> => {
          try {
            if (before >= 0) await fh.truncate(before);
          } finally {
            await fh.close();
          }
        };
        throw translate(await cleanUpAfter(err, restore), `append upload ${id}`);
      }
      try {
        await fh.close();
      } catch (err) {
        throw translate(err, `append upload ${id}`);
      }
      return size;
    },

    async uploadSize(id: string): Promise<number> {
      try {
        return (await stat(uploadPath(id))).size;
      } catch (err) {
        throw translate(err, `upload ${id}`, 'BLOB_UPLOAD_UNKNOWN');
      }
    },

    async uploadReader(id: string): Promise<Readable> {
      return openReader(uploadPath(id), 'BLOB_UPLOAD_UNKNOWN', id);
    },

    async commitUpload(id: string, key: string): Promise<void> {
      const from = uploadPath(id);
      try {
        await publish(from, key); // bytes were fsynced by each append
      } catch (err) {
        throw translate(err, `commit upload ${id}`, 'BLOB_UPLOAD_UNKNOWN');
      }
    },

    async abortUpload(id: string): Promise<void> {
      try {
        await unlink(uploadPath(id));
      } catch (err) {
        if (!isMissing(err) && !isSlipwayError(err)) throw translate(err, `abort upload ${id}`);
      }
    },

    async removePartialWrites(before: number): Promise<number> {
      let freed = 0;
      let names: string[];
      try {
        names = await readdir(tmp);
      } catch (err) {
        if (isMissing(err)) return 0;
        throw translate(err, 'list tmp');
      }
      for (const name of names) {
        const path = join(tmp, name);
        try {
          const s = await stat(path);
          if (s.mtimeMs >= before) continue; // a write in progress
          await rm(path, { recursive: true, force: true });
          freed += s.size;
        } catch (err) {
          if (!isMissing(err)) throw translate(err, `remove ${name}`);
        }
      }
      return freed;
    },
  };
}

/** Chunks are gathered up to this many bytes and written with one writev. */
const writeBatchBytes = 4 * 1024 * 1024;
/** A large write asks the disk to catch up (fdatasync) after every this many bytes. */
const earlySyncBytes = 64 * 1024 * 1024;

/**
 * Writes `source` at `position`, fsyncs, and returns the number of bytes written. Chunks
 * arrive small (a socket's 64 KiB); they are gathered into batches written with one
 * writev each, no copy, while the next batch arrives: at most one batch in flight and one
 * filling, so memory stays bounded and the source is paused (backpressure) while both are
 * full. The handle stays open for the fsync (a WriteStream would close it first).
 */
async function streamInto(fh: FileHandle, source: ByteSource | Iterable<Uint8Array>, position: number): Promise<number> {
  let written = 0;
  let syncedTo = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let inflight: Promise<void> = Promise.resolve();
  let syncing: Promise<void> = Promise.resolve();
  // A failed write or sync is kept and rethrown at the next flush or at the end, never dropped.
  let failure: { err: unknown } | undefined;
  const kept = (work: Promise<unknown>): Promise<void> =>
    work.then(
      () => undefined,
      (err: unknown) => {
        failure ??= { err };
      },
    );
  const flush = async (): Promise<void> => {
    await inflight;
    if (failure !== undefined) throw failure.err;
    const chunks = batch;
    const at = position + written;
    written += batchBytes;
    batch = [];
    batchBytes = 0;
    inflight = kept(writeAll(fh, chunks, at));
    // Start flushing a large write to disk beside the transfer, so the closing fsync is short.
    if (written - syncedTo >= earlySyncBytes) {
      syncedTo = written;
      const batchWritten = inflight;
      syncing = kept(syncing.then(() => batchWritten).then(() => fh.datasync()));
    }
  };
  try {
    for await (const chunk of source) {
      batch.push(chunk as Uint8Array);
      batchBytes += (chunk as Uint8Array).length;
      if (batchBytes >= writeBatchBytes) await flush();
    }
    await flush();
  } finally {
    // Never leave a write running: the caller truncates or removes the file next.
    await inflight;
    await syncing;
  }
  if (failure !== undefined) throw failure.err;
  await fh.sync();
  return written;
}

/** writev until every byte of `chunks` is written at `position` (writev may write less). */
async function writeAll(fh: FileHandle, chunks: Uint8Array[], position: number): Promise<void> {
  const rest = chunks.filter((c) => c.length > 0);
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest, at);
    at += bytesWritten;
    while (rest.length > 0 && bytesWritten >= rest[0]!.length) bytesWritten -= rest.shift()!.length;
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

/** Large reads: fewer syscalls and fewer, bigger socket writes when serving a layer. */
const readChunkBytes = 1024 * 1024;

async function openReader(path: string, missing: ErrorCode, what: string, range?: ByteRange): Promise<Readable> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw translate(err, what, missing);
  }
  if (!(await fh.stat()).isFile()) {
    await fh.close();
    throw new SlipwayError(missing);
  }
  return fh.createReadStream({ highWaterMark: readChunkBytes, ...range });
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * SlipwayErrors and errors from the caller's source pass through; filesystem errors become
 * `missing` (when the thing is absent) or INTERNAL with the errno code in the message.
 */
function translate(err: unknown, what: string, missing?: ErrorCode): unknown {
  if (isSlipwayError(err)) return err;
  const errno = err as NodeJS.ErrnoException;
  if (missing !== undefined && isMissing(err)) return new SlipwayError(missing);
  if (typeof errno?.syscall !== 'string') return err;
  return new SlipwayError('INTERNAL', `storage (fs): ${what}: ${errno.code ?? errno.message}`, { cause: err });
}
