// /v2/<name>/blobs/<digest> (distribution-spec §Pulling blobs, §Deleting blobs).
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { repoBlobSize } from './context.ts';
import { assertDigest } from './digest.ts';
import { sendEmpty } from './http.ts';
import { blobKey, repoBlobKey } from './layout.ts';

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
      };
      if (req.method === 'HEAD') {
        res.writeHead(200, headers);
        res.end();
        return;
      }
      const body = await storage.reader(blobKey(digest));
      res.writeHead(200, headers);
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
