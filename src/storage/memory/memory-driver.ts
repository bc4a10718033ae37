// Storage in process memory: the second, trivial StorageDriver that keeps the interface
// honest (a driver needs no paths, files or renames to pass the contract), as Distribution's
// storage/driver/inmemory does. Everything is lost with the process.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { SlipwayError } from '../../core/errors.ts';
import type { ByteRange, ByteSource, ObjectInfo, StorageDriver } from '../driver.ts';
import { assertKey, assertPrefix, assertUploadId } from '../key.ts';

/** What the driver holds. Two drivers given one state see the same storage (a restart). */
export interface MemoryStorage {
  objects: Map<string, Buffer>;
  /** Key → when it was last written (ms). */
  modified?: Map<string, number>;
  /** Upload id → the chunks received so far. */
  uploads: Map<string, Buffer[]>;
}

export function createMemoryDriver(storage: MemoryStorage = { objects: new Map(), uploads: new Map() }): StorageDriver {
  const { objects, uploads } = storage;
  const modified = (storage.modified ??= new Map());
  const store = (key: string, bytes: Buffer): void => {
    objects.set(key, bytes);
    modified.set(key, Date.now());
  };

  function object(key: string): Buffer | undefined {
    assertKey(key);
    return objects.get(key);
  }

  function upload(id: string): Buffer[] {
    assertUploadId(id);
    const chunks = uploads.get(id);
    if (chunks === undefined) throw new SlipwayError('BLOB_UPLOAD_UNKNOWN');
    return chunks;
  }

  return {
    name: 'memory',

    async stat(key: string): Promise<ObjectInfo | undefined> {
      const bytes = object(key);
      return bytes === undefined ? undefined : { size: bytes.length, modified: modified.get(key) ?? 0 };
    },

    async reader(key: string, range?: ByteRange): Promise<Readable> {
      const bytes = object(key);
      if (bytes === undefined) throw new SlipwayError('BLOB_UNKNOWN');
      return Readable.from([range === undefined ? bytes : bytes.subarray(range.start, range.end + 1)], { objectMode: false });
    },

    async writeAtomic(key: string, source: ByteSource): Promise<number> {
      assertKey(key);
      // Read the whole source before storing, so a failing source stores nothing.
      const bytes = Buffer.concat(await collect(source));
      store(key, bytes);
      return bytes.length;
    },

    async put(key: string, data: Uint8Array): Promise<void> {
      assertKey(key);
      store(key, Buffer.from(data));
    },

    async get(key: string): Promise<Buffer | undefined> {
      const bytes = object(key);
      return bytes === undefined ? undefined : Buffer.from(bytes);
    },

    async list(prefix: string): Promise<string[]> {
      assertPrefix(prefix);
      return [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    },

    async delete(key: string): Promise<boolean> {
      assertKey(key);
      modified.delete(key);
      return objects.delete(key);
    },

    async createUpload(): Promise<string> {
      const id = randomUUID();
      uploads.set(id, []);
      return id;
    },

    async appendUpload(id: string, source: ByteSource): Promise<number> {
      upload(id);
      // Whole chunks only: a failing source leaves the session as it was.
      const received = await collect(source);
      const chunks = upload(id); // it may have been aborted meanwhile
      chunks.push(...received);
      return size(chunks);
    },

    async uploadSize(id: string): Promise<number> {
      return size(upload(id));
    },

    async uploadReader(id: string): Promise<Readable> {
      return Readable.from([Buffer.concat(upload(id))], { objectMode: false });
    },

    async commitUpload(id: string, key: string): Promise<void> {
      assertKey(key);
      store(key, Buffer.concat(upload(id)));
      uploads.delete(id);
    },

    async abortUpload(id: string): Promise<void> {
      uploads.delete(id);
    },

    async removePartialWrites(): Promise<number> {
      return 0; // a write is whole or absent: nothing is left half-done in memory
    },
  };
}

/** Copies each chunk: the caller may reuse its buffers after the write. */
async function collect(source: ByteSource): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk as Uint8Array));
  return chunks;
}

function size(chunks: readonly Buffer[]): number {
  return chunks.reduce((total, c) => total + c.length, 0);
}
