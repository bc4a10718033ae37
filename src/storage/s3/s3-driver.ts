// Storage in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, s3rver …), so several
// servers can share one registry (issue 13). Layout under `prefix`:
//   objects/<key>                     one S3 object per driver key
//   uploads/<id>/started              the session exists (empty)
//   uploads/<id>/data-<offset>        the bytes of one append, named by where they start
// A PUT to S3 replaces an object whole, so writeAtomic is a PutObject (a multipart upload for
// a long stream, through @aws-sdk/lib-storage, which buffers at most partSize × queueSize).
//
// Why upload sessions are part objects concatenated at commit, not one S3 multipart upload:
// S3 requires every multipart part but the last to be at least 5 MiB, while a registry client
// PATCHes chunks of any size (a few bytes up to the whole layer) and may resume later from
// another server. Each append is stored as its own object instead, streamed in as it arrives;
// commit streams the parts in order into the destination (again a bounded multipart upload)
// and deletes them. Memory stays bounded for a 512 MiB layer; the cost is that commit copies
// the bytes once more through this server. (UploadPartCopy could do that copy inside S3 for
// parts of 5 MiB or more; s3rver, the S3 endpoint our tests run, does not implement it.)
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SlipwayError, isSlipwayError, type ErrorCode } from '../../core/errors.ts';
import type { ByteRange, ByteSource, ObjectInfo, StorageDriver } from '../driver.ts';
import { assertKey, assertPrefix, assertUploadId } from '../key.ts';

export interface S3DriverOptions {
  /** e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000; omitted: AWS's default for the region. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (MinIO, s3rver). */
  forcePathStyle?: boolean;
  /** Put everything under this key prefix (e.g. `slipway/`), so one bucket can hold more. */
  prefix?: string;
  /** Bytes buffered per multipart part; S3's minimum is 5 MiB. */
  partSize?: number;
}

const partPrefix = 'data-';
const offsetDigits = 16;
/** Parts of one multipart write in flight at once: memory per write is about partSize × this. */
const queueSize = 2;

export function createS3Driver(options: S3DriverOptions): StorageDriver {
  const { bucket } = options;
  const root = options.prefix ?? '';
  if (root !== '') assertPrefix(root);
  if (root !== '' && !root.endsWith('/')) throw new SlipwayError('CONFIG_INVALID', `registry.storage.prefix must end with "/": ${JSON.stringify(root)}`);
  const partSize = Math.max(options.partSize ?? 8 << 20, 5 << 20);
  const client = s3Client(options);

  const objectKey = (key: string): string => {
    assertKey(key);
    return `${root}objects/${key}`;
  };
  const sessionKey = (id: string): string => {
    assertUploadId(id);
    return `${root}uploads/${id}/`;
  };

  async function head(s3Key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: s3Key }));
      return { size: out.ContentLength ?? 0, modified: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw translate(err, `stat ${s3Key}`);
    }
  }

  async function open(s3Key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: s3Key, Range: range && `bytes=${range.start}-${range.end}` }));
      return out.Body as Readable;
    } catch (err) {
      throw translate(err, `read ${s3Key}`, 'BLOB_UNKNOWN');
    }
  }

  /** Every S3 key under `s3Prefix` with its size, in S3's (byte-wise sorted) order. */
  async function listRaw(s3Prefix: string): Promise<{ key: string; size: number }[]> {
    const found: { key: string; size: number }[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: s3Prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key !== undefined) found.push({ key: o.Key, size: o.Size ?? 0 });
        token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (err) {
      throw translate(err, `list ${s3Prefix}`);
    }
    return found;
  }

  async function removeAll(s3Keys: string[]): Promise<void> {
    for (let i = 0; i < s3Keys.length; i += 1000) {
      const batch = s3Keys.slice(i, i + 1000);
      try {
        const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        const failed = out.Errors?.[0];
        if (failed !== undefined) throw new SlipwayError('INTERNAL', `storage (s3): delete ${failed.Key}: ${failed.Code}`);
      } catch (err) {
        throw translate(err, `delete ${batch.length} object(s)`);
      }
    }
  }

  /** Streams `source` into one S3 object; resolves to its size. A failing source writes nothing and its error is rethrown. */
  async function write(s3Key: string, source: ByteSource): Promise<number> {
    let bytes = 0;
    let failure: { error: unknown } | undefined;
    async function* counted(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of source) {
          bytes += (chunk as Uint8Array).length;
          yield chunk as Uint8Array;
        }
      } catch (error) {
        failure = { error };
        throw error;
      }
    }
    const upload = new Upload({ client, params: { Bucket: bucket, Key: s3Key, Body: Readable.from(counted(), { objectMode: false }) }, partSize, queueSize });
    try {
      await upload.done();
    } catch (err) {
      // Upload aborts its multipart upload itself; the caller wants the source's own error.
      if (failure !== undefined) throw failure.error;
      throw translate(err, `write ${s3Key}`);
    }
    return bytes;
  }

  async function session(id: string): Promise<{ parts: { key: string; size: number }[]; size: number }> {
    const dir = sessionKey(id);
    const entries = await listRaw(dir);
    if (!entries.some((e) => e.key === `${dir}started`)) throw new SlipwayError('BLOB_UPLOAD_UNKNOWN');
    const parts = entries.filter((e) => e.key.startsWith(`${dir}${partPrefix}`)).sort((a, b) => (a.key < b.key ? -1 : 1));
    return { parts, size: parts.reduce((total, p) => total + p.size, 0) };
  }

  /** The session's bytes in order, one part object after another. */
  async function* sessionBytes(parts: { key: string }[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) {
      for await (const chunk of await open(part.key)) yield chunk as Uint8Array;
    }
  }

  return {
    name: 's3',

    // async, so a bad key rejects rather than throws.
    stat: async (key) => head(objectKey(key)),

    reader: async (key, range) => open(objectKey(key), range),

    writeAtomic: async (key, source) => write(objectKey(key), source),

    async put(key: string, data: Uint8Array): Promise<void> {
      const s3Key = objectKey(key);
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: s3Key, Body: data, ContentLength: data.length }));
      } catch (err) {
        throw translate(err, `put ${s3Key}`);
      }
    },

    async get(key: string): Promise<Buffer | undefined> {
      const s3Key = objectKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: s3Key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw translate(err, `get ${s3Key}`);
      }
    },

    async list(prefix: string): Promise<string[]> {
      assertPrefix(prefix);
      const base = `${root}objects/`;
      return (await listRaw(`${base}${prefix}`)).map((e) => e.key.slice(base.length)).sort();
    },

    async delete(key: string): Promise<boolean> {
      const s3Key = objectKey(key);
      // S3's DELETE succeeds whether or not the object was there: ask first.
      if ((await head(s3Key)) === undefined) return false;
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: s3Key }));
      } catch (err) {
        throw translate(err, `delete ${s3Key}`);
      }
      return true;
    },

    async createUpload(): Promise<string> {
      const id = randomUUID();
      const marker = `${sessionKey(id)}started`;
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: marker, Body: new Uint8Array(0), ContentLength: 0 }));
      } catch (err) {
        throw translate(err, `create upload ${id}`);
      }
      return id;
    },

    async appendUpload(id: string, source: ByteSource): Promise<number> {
      // The registry holds a lock per upload id (upload-hashes.ts), so appends to one session
      // never race; the offset name keeps the parts in order.
      const { size } = await session(id);
      const part = `${sessionKey(id)}${partPrefix}${String(size).padStart(offsetDigits, '0')}`;
      const added = await write(part, source);
      return size + added;
    },

    async uploadSize(id: string): Promise<number> {
      return (await session(id)).size;
    },

    async uploadReader(id: string): Promise<Readable> {
      const { parts } = await session(id);
      return Readable.from(sessionBytes(parts), { objectMode: false });
    },

    async commitUpload(id: string, key: string): Promise<void> {
      const s3Key = objectKey(key);
      const { parts } = await session(id);
      await write(s3Key, sessionBytes(parts));
      await removeAll([...parts.map((p) => p.key), `${sessionKey(id)}started`]);
    },

    async abortUpload(id: string): Promise<void> {
      try {
        assertUploadId(id);
      } catch {
        return; // a malformed id names no session
      }
      await removeAll((await listRaw(sessionKey(id))).map((e) => e.key));
    },

    async removePartialWrites(before: number): Promise<number> {
      // What a killed write leaves in S3 is an unfinished multipart upload: its parts are
      // stored (and billed) but no object shows. Abort those under our prefix begun before
      // the cut-off. Their size is not listed without a ListParts per upload, so this reports
      // 0 bytes; a bucket lifecycle rule (AbortIncompleteMultipartUpload) does the same job.
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      try {
        do {
          const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: root, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
          for (const u of out.Uploads ?? []) {
            if ((u.Initiated?.getTime() ?? Number.POSITIVE_INFINITY) >= before) continue;
            await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
          }
          [keyMarker, uploadIdMarker] = out.IsTruncated === true ? [out.NextKeyMarker, out.NextUploadIdMarker] : [undefined, undefined];
        } while (keyMarker !== undefined);
      } catch (err) {
        // s3rver (the endpoint our tests use) cannot list multipart uploads; it keeps none
        // that a reader could see either, so there is nothing this driver could remove.
        if (err instanceof S3ServiceException && err.name === 'NotImplemented') return 0;
        throw translate(err, 'list unfinished multipart uploads');
      }
      return 0;
    },
  };
}

/** A missing object: NoSuchKey, or a HEAD's bodiless 404 (checkS3Bucket rules out a missing bucket at start). Not NoSuchBucket. */
function isMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

/**
 * Fails start-up with CONFIG_INVALID when the bucket cannot be reached with these settings
 * (a typo'd bucket would otherwise read as an empty registry: S3 answers a HEAD on a missing
 * bucket like one on a missing object).
 */
export async function checkS3Bucket(options: S3DriverOptions): Promise<void> {
  const client = s3Client(options);
  try {
    await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
  } catch (err) {
    const why = err instanceof S3ServiceException ? `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})` : err instanceof Error ? err.message : String(err);
    throw new SlipwayError('CONFIG_INVALID', `registry.storage: bucket ${options.bucket} at ${options.endpoint ?? `AWS ${options.region}`}: ${why}`, { cause: err });
  } finally {
    client.destroy();
  }
}

function s3Client(options: S3DriverOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Checksums only where S3 demands them: several S3-compatible servers reject the
    // aws-chunked trailers the SDK would otherwise add to every streamed body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A SlipwayError: `missing` when the object is absent, else INTERNAL naming the operation and
 * S3's error code. Never the request itself: its signature headers derive from the secret.
 */
function translate(err: unknown, what: string, missing?: ErrorCode): SlipwayError {
  if (isSlipwayError(err)) return err;
  if (missing !== undefined && isMissing(err)) return new SlipwayError(missing);
  const code = err instanceof S3ServiceException ? `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})` : err instanceof Error ? err.message : String(err);
  return new SlipwayError('INTERNAL', `storage (s3): ${what}: ${code}`, { cause: err });
}
