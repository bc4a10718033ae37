// The built-in OCI registry (distribution-spec v1.1: pull, push, content discovery with
// referrers, content management, and the catalog). The HTTP server authenticates first and
// calls `handle` for `/v2/…`, saying which repositories the caller may see in the catalog.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { DigestUse, type SharedDigestUse } from './digest-use.ts';
import { collectGarbage, type GcReport } from './gc.ts';
import { sendError, sendJson } from './http.ts';
import { tagKey } from './layout.ts';
import { assertName, isValidTag } from './names.ts';
import { handleBlob } from './routes-blobs.ts';
import type { CanPull } from './routes-catalog.ts';
import { handleCatalog } from './routes-catalog.ts';
import { findManifest, handleManifest } from './routes-manifests.ts';
import { handleReferrers } from './routes-referrers.ts';
import { handleTags } from './routes-tags.ts';
import { handleUpload, startUpload } from './routes-uploads.ts';
import type { StorageDriver } from '../storage/driver.ts';
import { UploadHashes } from './upload-hashes.ts';
import { purgeUploads, type PurgeReport } from './upload-purge.ts';

interface RegistryOptions {
  storage: StorageDriver;
  /**
   * Receives one message, with the stack and causes, for every unexpected error (answered
   * 500 INTERNAL in the spec's error format). Spec errors such as BLOB_UNKNOWN are the
   * client's business and are not logged.
   */
  log?: (message: string) => void;
  /** Servers sharing this storage: the digests each holds, for every server's GC (digest-use.ts). */
  sharedUse?: SharedDigestUse;
}

export interface Registry {
  /**
   * Answers one request whose path starts with `/v2`. `canPull` filters the catalog; the
   * caller has already checked every other route's repository (without it, all are listed).
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, canPull?: CanPull): Promise<void>;
  /** The manifest digest `repository:tag` points at, or undefined. Throws NAME_INVALID. */
  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  /** Whether manifest `digest` of `repository` is stored (a deployment checks its release's image is still there). */
  hasManifest(repository: string, digest: string): Promise<boolean>;
  /** Removes `repository:tag` if it still points at `digest` (retention); whether it did. */
  untag(repository: string, tag: string, digest: string): Promise<boolean>;
  /** Mark-and-sweep while serving (gc.ts): `pins` are manifests kept whatever their tags. */
  collectGarbage(options: { graceMs: number; dryRun?: boolean; pins?: ReadonlyArray<{ repository: string; digest: string }> }): Promise<GcReport>;
  /** Removes upload sessions started more than `maxAgeMs` ago (upload-purge.ts). */
  purgeUploads(maxAgeMs: number): Promise<PurgeReport>;
}

type Route = (ctx: RouteContext, param: string) => Promise<void>;

// The name is greedy: fixed suffixes decide the route, so `a/blobs` is a valid repository.
const routes: ReadonlyArray<[RegExp, Route]> = [
  [/^\/v2\/(.+)\/tags\/list$/, (ctx) => handleTags(ctx)],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, handleManifest],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, handleReferrers],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (ctx) => startUpload(ctx)],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, handleUpload],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, handleBlob],
];

export function createRegistry(options: RegistryOptions): Registry {
  const { storage } = options;
  const uploads = new UploadHashes();
  const use = new DigestUse(Date.now, undefined, options.sharedUse && { ledger: options.sharedUse, log: options.log ?? console.error });

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, held: Array<() => void>, canPull: CanPull): Promise<void> {
    const path = url.pathname;
    if (path === '/v2/' || path === '/v2') {
      // §Determining support: 200 means this is a v2 registry (and the caller may use it).
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new SlipwayError('UNSUPPORTED');
      return sendJson(req, res, 200, {});
    }
    if (path === '/v2/_catalog') return handleCatalog(storage, req, res, url, canPull);
    for (const [pattern, route] of routes) {
      const m = pattern.exec(path);
      if (m === null) continue;
      const name = m[1] ?? '';
      assertName(name);
      const hold = async (digests: Iterable<string>): Promise<void> => void held.push(await use.hold(digests));
      return route({ storage, uploads, hold, req, res, url, name }, decode(m[2] ?? ''));
    }
    throw new SlipwayError('NOT_FOUND', `no registry route for ${path}`);
  }

  return {
    async handle(req, res, url, canPull = async () => true) {
      res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
      const held: Array<() => void> = [];
      try {
        await dispatch(req, res, url, held, canPull);
      } catch (err) {
        if (clientWentAway(err)) {
          res.destroy();
          return;
        }
        if (!isSlipwayError(err) || err.code === 'INTERNAL') options.log?.(`registry: ${req.method} ${url.pathname}: ${inspect(err)}`);
        sendError(req, res, err);
      } finally {
        for (const release of held) release();
      }
    },

    async resolveTag(repository, tag) {
      assertName(repository);
      if (!isValidTag(tag)) throw new SlipwayError('NAME_INVALID', `invalid tag: ${tag}`);
      return (await findManifest(storage, repository, { tag }))?.digest;
    },

    async hasManifest(repository, digest) {
      assertName(repository);
      return (await findManifest(storage, repository, { digest })) !== undefined;
    },

    async untag(repository, tag, digest) {
      assertName(repository);
      if (!isValidTag(tag)) throw new SlipwayError('NAME_INVALID', `invalid tag: ${tag}`);
      // Read, then delete: a push moving the tag in between would lose it. Retention runs
      // rarely and only on its releases' own `<sha>` tags, which only a rebuild moves.
      if ((await findManifest(storage, repository, { tag }))?.digest !== digest) return false;
      return storage.delete(tagKey(repository, tag));
    },

    collectGarbage: (o) => collectGarbage({ storage, use, ...o }),

    purgeUploads: (maxAgeMs) => purgeUploads({ storage, uploads, maxAgeMs }),
  };
}

/**
 * The client closed the connection mid-request or mid-response (clients drop blob reads
 * they no longer need): nothing to answer and nothing to report. Storage errors never look
 * like this, since drivers turn them into SlipwayErrors.
 */
function clientWentAway(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}

/** Path parameters may be percent-encoded (`sha256%3A…`); bad escapes stay as they are. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
