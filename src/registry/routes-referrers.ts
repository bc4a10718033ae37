// GET /v2/<name>/referrers/<digest> (distribution-spec §Listing referrers): an OCI image
// index of the descriptors of the manifests in `name` whose `subject` is `<digest>`,
// filtered by `artifactType` when asked (then `OCI-Filters-Applied: artifactType`). A
// subject nothing refers to, or that does not exist, has an empty list, not a 404.
import { SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { assertDigest, parseDigest } from './digest.ts';
import type { Headers } from './http.ts';
import { sendJson } from './http.ts';
import { manifestKey, referrersPrefix } from './layout.ts';
import { mediaTypes } from './manifest.ts';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export async function handleReferrers(ctx: RouteContext, rawDigest: string): Promise<void> {
  const { storage, req, res, url, name } = ctx;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on referrers`);
  const subject = assertDigest(rawDigest);
  const artifactType = url.searchParams.get('artifactType');

  const descriptors: Descriptor[] = [];
  for (const key of await storage.list(referrersPrefix(name, subject))) {
    const descriptor = JSON.parse((await storage.get(key))?.toString('utf8') ?? 'null') as Descriptor | null;
    // The entry is written before its manifest: one without a manifest is a push that died.
    const digest = parseDigest(descriptor?.digest ?? '');
    if (descriptor === null || digest === undefined || (await storage.stat(manifestKey(name, digest))) === undefined) continue;
    if (artifactType !== null && descriptor.artifactType !== artifactType) continue;
    descriptors.push(descriptor);
  }
  const headers: Headers = { 'Content-Type': mediaTypes.ociIndex };
  if (artifactType !== null) headers['OCI-Filters-Applied'] = 'artifactType';
  sendJson(req, res, 200, { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: descriptors }, headers);
}
