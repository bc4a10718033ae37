// The storage behind the registry: content-addressed blobs plus small metadata files, and
// resumable upload sessions. Implementations live beside this file (fs/, memory/), and each
// passes driver.contract.ts. Nothing here names a path or a file, so an object store fits
// behind it too. Drivers translate backend errors into SlipwayError codes (a missing object
// is BLOB_UNKNOWN, a missing upload BLOB_UPLOAD_UNKNOWN, the rest INTERNAL).
import type { Readable } from 'node:stream';

/** Bytes to write: a Node stream or any async iterable of chunks (e.g. a generator). */
export type ByteSource = Readable | AsyncIterable<Uint8Array>;

/** Bytes `start` to `end`, both included (as in an HTTP Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectInfo {
  size: number;
  /**
   * When the object was last written (ms since the epoch). Garbage collection keeps what was
   * written within its grace period (src/registry/gc.ts): a blob pushed for a manifest that
   * has not arrived yet is young.
   */
  modified: number;
}

/**
 * Keys are `/`-separated paths of segments made of `[A-Za-z0-9._:-]`, no `.` or `..`
 * segment (e.g. `blobs/sha256/<hex>`). A key names one object; there are no directories.
 */
export interface StorageDriver {
  readonly name: string;

  /** Size of an object, or undefined when it does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /**
   * A stream of the object's bytes, or of `range` of them (which the caller has checked
   * against the size). Rejects with BLOB_UNKNOWN when it does not exist.
   */
  reader(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * Streams `source` into `key`. Readers see the old object or the whole new one, never a
   * part: if `source` errors (e.g. a digest check in a transform), nothing is written and
   * the source's error is rethrown. Resolves to the number of bytes written.
   */
  writeAtomic(key: string, source: ByteSource): Promise<number>;
  /** writeAtomic for small in-memory values (metadata, links, manifests). */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The whole object, or undefined when it does not exist. Only for small objects. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key starting with `prefix` (at any depth), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes an object; resolves to whether it existed. */
  delete(key: string): Promise<boolean>;

  /** Starts an empty upload session; resolves to its id (`[A-Za-z0-9-]+`). */
  createUpload(): Promise<string>;
  /**
   * Appends `source` to the upload and resolves to its new total size. If `source` errors,
   * the upload is left as it was before the call and the error is rethrown.
   */
  appendUpload(id: string, source: ByteSource): Promise<number>;
  /** Bytes received so far. Rejects with BLOB_UPLOAD_UNKNOWN for an unknown id. */
  uploadSize(id: string): Promise<number>;
  /** The bytes received so far (to verify a digest when no running hash is at hand). */
  uploadReader(id: string): Promise<Readable>;
  /** Moves the upload's bytes to `key` atomically and ends the session. */
  commitUpload(id: string, key: string): Promise<void>;
  /** Ends the session and drops its bytes; unknown ids are ignored. */
  abortUpload(id: string): Promise<void>;

  /**
   * Removes what writes cut off by a crash left behind (the fs driver's temp files) that
   * were begun before `before` (ms since the epoch); resolves to the bytes freed. Upload
   * sessions are not touched: the registry purges those by age (src/registry/upload-purge.ts).
   */
  removePartialWrites(before: number): Promise<number>;
}
