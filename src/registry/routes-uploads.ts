// Pushing blobs (distribution-spec §Pushing blobs): monolithic POST with `?digest=`, upload
// sessions with PATCH chunks and a closing PUT, upload status, cancel, and cross-repository
// mount (§Mounting a blob from another repository). Bytes are hashed as they stream in and
// only become visible under their digest once it matched.
import type { Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { linkBlob, repoBlobSize } from './context.ts';
import { assertDigest, createDigestHash, digestAlgorithm, digestOfHash, hashing, parseDigest } from './digest.ts';
import type { DigestAlgorithm } from './digest.ts';
import type { Headers } from './http.ts';
import { hasBody, sendEmpty, sendError } from './http.ts';
import { blobKey, uploadKey } from './layout.ts';
import { isValidName } from './names.ts';

const uploadIdPattern = /^[A-Za-z0-9-]{1,128}$/;

const blobLocation = (name: string, digest: string): string => `/v2/${name}/blobs/${digest}`;

/** §Pushing a blob in chunks: Range is inclusive, `0-0` for an empty upload (as distribution). */
function sessionHeaders(name: string, id: string, size: number): Headers {
  return {
    Location: `/v2/${name}/blobs/uploads/${id}`,
    Range: `0-${Math.max(size - 1, 0)}`,
    'Docker-Upload-UUID': id,
  };
}

/** The request body, hashed on the way (a client gone mid-body fails the iteration). */
function hashedBody(req: IncomingMessage, options: { expected?: string; hash?: Hash }): AsyncGenerator<Uint8Array> {
  return hashing(req as AsyncIterable<Uint8Array>, options);
}

/** POST /v2/<name>/blobs/uploads/ */
export async function startUpload(ctx: RouteContext): Promise<void> {
  const { storage, req, res, url, name } = ctx;
  if (req.method !== 'POST') throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on uploads`);

  const mount = parseDigest(url.searchParams.get('mount') ?? '');
  const from = url.searchParams.get('from') ?? '';
  if (mount !== undefined) await ctx.hold([mount]);
  if (mount !== undefined && isValidName(from) && (await repoBlobSize(storage, from, mount)) !== undefined) {
    await linkBlob(storage, name, mount);
    sendEmpty(res, 201, { Location: blobLocation(name, mount), 'Docker-Content-Digest': mount });
    return;
  }
  // A mount that cannot be served falls back to a new session (§Mounting a blob: 202).

  const digestParam = url.searchParams.get('digest');
  if (digestParam !== null) {
    const digest = assertDigest(digestParam);
    await ctx.hold([digest]);
    await storage.writeAtomic(blobKey(digest), hashedBody(req, { expected: digest }));
    await linkBlob(storage, name, digest);
    sendEmpty(res, 201, { Location: blobLocation(name, digest), 'Docker-Content-Digest': digest });
    return;
  }

  const id = await storage.createUpload();
  await storage.put(uploadKey(name, id), Buffer.from(JSON.stringify({ startedAt: new Date().toISOString() })));
  sendEmpty(res, 202, sessionHeaders(name, id, 0));
}

/** GET | PATCH | PUT | DELETE /v2/<name>/blobs/uploads/<id> */
export async function handleUpload(ctx: RouteContext, id: string): Promise<void> {
  const { storage, uploads, req, name } = ctx;
  if (!uploadIdPattern.test(id) || (await storage.stat(uploadKey(name, id))) === undefined) {
    throw new SlipwayError('BLOB_UPLOAD_UNKNOWN', undefined, { detail: { uuid: id } });
  }
  if (req.method === 'GET') {
    // §Getting the upload status: how much arrived, so a client can resume.
    return sendEmpty(ctx.res, 204, sessionHeaders(name, id, await storage.uploadSize(id)));
  }
  if (!uploads.lock(id)) throw new SlipwayError('BLOB_UPLOAD_INVALID', 'another request is writing this upload');
  try {
    switch (req.method) {
      case 'PATCH': {
        const size = await appendChunk(ctx, id);
        if (size !== undefined) sendEmpty(ctx.res, 202, sessionHeaders(name, id, size));
        return;
      }
      case 'PUT':
        return await finishUpload(ctx, id);
      case 'DELETE':
        await discardUpload(ctx, id);
        return sendEmpty(ctx.res, 204);
      default:
        throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on an upload`);
    }
  } finally {
    uploads.unlock(id);
  }
}

/**
 * Appends the request body to upload `id`, keeping its running hash, and returns the new
 * size; or answers 416 and returns undefined when Content-Range does not start where the
 * upload ends (§Pushing a blob in chunks: chunks must arrive in order).
 */
async function appendChunk(ctx: RouteContext, id: string): Promise<number | undefined> {
  const { storage, uploads, req, res, name } = ctx;
  const current = await storage.uploadSize(id);
  const range = req.headers['content-range'];
  if (range !== undefined) {
    const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(range);
    if (m === null || Number(m[1]) !== current) {
      for (const [k, v] of Object.entries(sessionHeaders(name, id, current))) res.setHeader(k, v);
      const err = new SlipwayError('BLOB_UPLOAD_INVALID', `chunk must start at byte ${current}`, { detail: { range } });
      sendError(req, res, err, 416);
      return undefined;
    }
  }
  const running = uploads.get(id, current) ?? (await hashStored(ctx, id, 'sha256', current));
  uploads.delete(id); // stale until this append has succeeded
  const size = await storage.appendUpload(id, hashedBody(req, { hash: running }));
  uploads.set(id, running, size);
  return size;
}

/** PUT ?digest=: the optional last chunk, then verify and publish the blob. */
async function finishUpload(ctx: RouteContext, id: string): Promise<void> {
  const { storage, uploads, req, res, url, name } = ctx;
  const digest = assertDigest(url.searchParams.get('digest'));
  const size = hasBody(req) ? await appendChunk(ctx, id) : await storage.uploadSize(id);
  if (size === undefined) return;
  // The running hash is sha256, what clients push; a sha512 upload is hashed once at the end.
  const algorithm = digestAlgorithm(digest);
  const running = algorithm === 'sha256' ? uploads.get(id, size) : undefined;
  const actual = digestOfHash(running ?? (await hashStored(ctx, id, algorithm, size)), algorithm);
  if (actual !== digest) {
    // distribution cancels the session on a mismatch; nothing of it stays visible.
    await discardUpload(ctx, id);
    throw new SlipwayError('DIGEST_INVALID', undefined, { detail: { expected: digest, actual } });
  }
  await ctx.hold([digest]);
  await storage.commitUpload(id, blobKey(digest));
  await linkBlob(storage, name, digest);
  await storage.delete(uploadKey(name, id));
  uploads.delete(id);
  sendEmpty(res, 201, { Location: blobLocation(name, digest), 'Docker-Content-Digest': digest });
}

/**
 * A hash of the `size` bytes upload `id` holds, read from storage, for when this process has
 * no running hash that covers them: after a restart or an eviction, for a sha512 digest, or
 * because the previous chunks reached another server on the same storage (several servers
 * behind a load balancer, issue 13). The next chunks continue it as a running hash.
 */
async function hashStored(ctx: RouteContext, id: string, algorithm: DigestAlgorithm, size: number): Promise<Hash> {
  const hash = createDigestHash(algorithm);
  if (size === 0) return hash;
  let hashed = 0;
  for await (const chunk of await ctx.storage.uploadReader(id)) {
    hash.update(chunk as Buffer);
    hashed += (chunk as Buffer).length;
  }
  // Another server appending meanwhile would make the bytes and the size disagree.
  if (hashed !== size) throw new SlipwayError('BLOB_UPLOAD_INVALID', `the upload changed while it was read (${hashed} bytes, expected ${size})`);
  return hash;
}

async function discardUpload(ctx: RouteContext, id: string): Promise<void> {
  await ctx.storage.abortUpload(id);
  await ctx.storage.delete(uploadKey(ctx.name, id));
  ctx.uploads.delete(id);
}
