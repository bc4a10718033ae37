// /v2/<name>/manifests/<reference> (distribution-spec §Pulling manifests, §Pushing
// manifests, §Deleting manifests). The exact pushed bytes are stored and served, so the
// digest a client computed is the digest it pulls. A manifest with a `subject` is also
// listed by the referrers API (routes-referrers.ts), and its PUT answers `OCI-Subject`.
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { linkBlob, repoBlobSize } from './context.ts';
import { digestAlgorithm, digestOf, parseDigest } from './digest.ts';
import { readSmallBody, sendEmpty } from './http.ts';
import { blobKey, manifestKey, referrerKey, tagKey, tagsPrefix } from './layout.ts';
import { parseManifest } from './manifest.ts';
import type { ManifestReference } from './names.ts';
import { parseManifestReference } from './names.ts';
import type { StorageDriver } from '../storage/driver.ts';

/** distribution-spec §Pushing manifests: registries should accept at least 4 MiB. */
const maxManifestBytes = 4 * 1024 * 1024;

type ManifestHandler = (ctx: RouteContext, ref: ManifestReference) => Promise<void>;

export async function handleManifest(ctx: RouteContext, reference: string): Promise<void> {
  // Declared functions are hoisted, so the table can name them before their definitions.
  const handlers: Record<string, ManifestHandler> = { HEAD: getManifest, GET: getManifest, PUT: putManifest, DELETE: deleteManifest };
  const handler = handlers[ctx.req.method ?? ''];
  if (!handler) throw new SlipwayError('UNSUPPORTED', `${ctx.req.method} not allowed on manifests`);
  return handler(ctx, readReference(ctx.req.method ?? '', reference));
}

/**
 * A PUT under a malformed reference is the client's mistake (400). Nothing can be stored
 * under one, so reading or deleting it finds no manifest: 404 MANIFEST_UNKNOWN, as
 * distribution answers and the conformance suite expects (§Pulling manifests, for
 * `.INVALID_MANIFEST_NAME`).
 */
function readReference(method: string, reference: string): ManifestReference {
  try {
    return parseManifestReference(reference);
  } catch (err) {
    if (method === 'PUT' || !isSlipwayError(err)) throw err;
    throw new SlipwayError('MANIFEST_UNKNOWN', undefined, { detail: { reference } });
  }
}

/** The manifest digest and media type that `ref` names in repository `name`, if any. */
export async function findManifest(
  storage: StorageDriver,
  name: string,
  ref: ManifestReference,
): Promise<{ digest: string; mediaType: string } | undefined> {
  const digest = ref.digest ?? parseDigest((await storage.get(tagKey(name, ref.tag)))?.toString('utf8') ?? '');
  if (digest === undefined) return undefined;
  const mediaType = await storage.get(manifestKey(name, digest));
  return mediaType === undefined ? undefined : { digest, mediaType: mediaType.toString('utf8') };
}

async function getManifest(ctx: RouteContext, ref: ManifestReference): Promise<void> {
  const { storage, req, res, name } = ctx;
  const found = await findManifest(storage, name, ref);
  const body = found === undefined ? undefined : await storage.get(blobKey(found.digest));
  if (found === undefined || body === undefined) {
    throw new SlipwayError('MANIFEST_UNKNOWN', undefined, { detail: ref });
  }
  res.writeHead(200, {
    'Content-Type': found.mediaType,
    'Content-Length': body.length,
    'Docker-Content-Digest': found.digest,
    ETag: `"${found.digest}"`,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function putManifest(ctx: RouteContext, ref: ManifestReference): Promise<void> {
  const { storage, req, res, name } = ctx;
  const body = await readSmallBody(req, maxManifestBytes);
  // By digest, the client chose the algorithm (sha256 or sha512); by tag, sha256.
  const digest = digestOf(body, ref.digest === undefined ? 'sha256' : digestAlgorithm(ref.digest));
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw new SlipwayError('DIGEST_INVALID', undefined, { detail: { expected: ref.digest, actual: digest } });
  }
  const manifest = parseManifest(body, req.headers['content-type']);

  await ctx.hold([digest, ...manifest.blobs, ...manifest.manifests]);
  // §Pushing manifests: everything a manifest references must already be in the repository.
  const missingBlobs = await Promise.all(
    [...new Set(manifest.blobs)].map(async (d) => ((await repoBlobSize(storage, name, d)) === undefined ? d : undefined)),
  );
  const missingManifests = await Promise.all(
    [...new Set(manifest.manifests)].map(async (d) => ((await storage.stat(manifestKey(name, d))) === undefined ? d : undefined)),
  );
  const missing = [...missingBlobs, ...missingManifests].filter((d) => d !== undefined);
  if (missing.length > 0) {
    throw new SlipwayError('MANIFEST_BLOB_UNKNOWN', `unknown blob ${missing[0]}`, { detail: { digest: missing[0] } });
  }

  await storage.put(blobKey(digest), body);
  await linkBlob(storage, name, digest);
  const { referrer } = manifest;
  if (referrer !== undefined) {
    // §Listing referrers: the descriptor of this manifest, as the referrers index lists it.
    const { subject, ...about } = referrer;
    const descriptor = { mediaType: manifest.mediaType, digest, size: body.length, ...about };
    await storage.put(referrerKey(name, subject, digest), Buffer.from(JSON.stringify(descriptor)));
  }
  await storage.put(manifestKey(name, digest), Buffer.from(manifest.mediaType));
  if (ref.tag !== undefined) await storage.put(tagKey(name, ref.tag), Buffer.from(digest));
  sendEmpty(res, 201, {
    Location: `/v2/${name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
    // §Pushing manifests with subject: tells the client this registry keeps referrers.
    ...(referrer !== undefined && { 'OCI-Subject': referrer.subject }),
  });
}

/** By tag: removes the tag. By digest: removes the manifest and every tag pointing at it. */
async function deleteManifest(ctx: RouteContext, ref: ManifestReference): Promise<void> {
  const { storage, res, name } = ctx;
  if (ref.tag !== undefined) {
    if (!(await storage.delete(tagKey(name, ref.tag)))) throw new SlipwayError('MANIFEST_UNKNOWN', undefined, { detail: ref });
    return sendEmpty(res, 202);
  }
  const mediaType = await storage.get(manifestKey(name, ref.digest));
  const body = mediaType === undefined ? undefined : await storage.get(blobKey(ref.digest));
  if (!(await storage.delete(manifestKey(name, ref.digest)))) {
    throw new SlipwayError('MANIFEST_UNKNOWN', undefined, { detail: ref });
  }
  // The manifest was accepted once, so it parses; its referrer entry goes with it.
  const subject = body === undefined ? undefined : parseManifest(body, mediaType?.toString('utf8')).referrer?.subject;
  if (subject !== undefined) await storage.delete(referrerKey(name, subject, ref.digest));
  for (const key of await storage.list(tagsPrefix(name))) {
    if ((await storage.get(key))?.toString('utf8') === ref.digest) await storage.delete(key);
  }
  sendEmpty(res, 202);
}
