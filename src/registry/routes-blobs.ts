// /v2/<name>/blobs/<digest> (distribution-spec §Pulling blobs, §Deleting blobs). A GET may
// ask for one byte range (RFC 9110 §14: `Range: bytes=a-b`, `a-` or `-n`), so an
// interrupted pull of a large layer resumes where it stopped: 206 with Content-Range, or 416
// when the range starts past the end. The bytes stream from storage straight to the socket.
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { repoBlobSize } from './context.ts';
import { assertDigest } from './digest.ts';
import { sendEmpty } from './http.ts';
import { blobKey, repoBlobKey } from './layout.ts';
import type { ByteRange } from '../storage/driver.ts';

export async function handleBlob(ctx: RouteContext, rawDigest: string): Promise<void> {
  const { storage, req, res, name } = ctx;
  const digest = assertDigest(rawDigest);
  switch (req.method) {
    case 'HEAD':
    case 'GET': {
      await ctx.hold([digest]); // a client that finds the blob may push a manifest naming it next
      const size = await repoBlobSize(storage, name, digest);
      if (size === undefined) throw new SlipwayError('BLOB_UNKNOWN', undefined, { detail: { digest } });
      const headers = {
        'Content-Type': 'application/octet-stream',
        'Content-Length': size,
        'Docker-Content-Digest': digest,
        // Content-addressed: the bytes behind a digest never change.
        ETag: `"${digest}"`,
        'Cache-Control': 'max-age=31536000',
        'Accept-Ranges': 'bytes',
      };
      if (req.method === 'HEAD') {
        res.writeHead(200, headers);
        res.end();
        return;
      }
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') return sendEmpty(res, 416, { 'Content-Range': `bytes */${size}` });
      const body = await storage.reader(blobKey(digest), range);
      if (range === undefined) {
        res.writeHead(200, headers);
      } else {
        res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
      }
      await pipeline(body, res);
      return;
    }
    case 'DELETE': {
      // Unlinks the blob from this repository only. Its bytes stay in storage, where other
      // repositories may link them too: garbage collection (gc.ts) frees them once unlinked.
      if (!(await storage.delete(repoBlobKey(name, digest)))) {
        throw new SlipwayError('BLOB_UNKNOWN', undefined, { detail: { digest } });
      }
      sendEmpty(res, 202);
      return;
    }
    default:
      throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on blobs`);
  }
}

/**
 * The one range a `Range` header asks for within `size` bytes (clamped to the end), or
 * 'unsatisfiable'. Anything else (no header, another unit, several ranges, bad syntax) is
 * ignored and the whole blob is served, as RFC 9110 §14.2 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // A suffix: the last `last` bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - length, 0), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined; // invalid syntax (§14.1.1)
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
