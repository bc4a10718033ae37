// Parsing pushed manifests (OCI image-spec §Image Manifest, §Image Index; Docker Image
// Manifest V2 Schema 2 and Manifest List). Only the fields the registry reads are kept:
// which media type to serve, which blobs and manifests must already exist, and what the
// referrers API lists for a manifest with a `subject` (distribution-spec §Listing referrers).
import { z } from 'zod';
import { SlipwayError } from '../core/errors.ts';
import { parseDigest } from './digest.ts';

export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const imageTypes: ReadonlySet<string> = new Set([mediaTypes.ociManifest, mediaTypes.dockerManifest]);
const indexTypes: ReadonlySet<string> = new Set([mediaTypes.ociIndex, mediaTypes.dockerManifestList]);

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
});

const annotations = z.record(z.string(), z.string()).optional();

const imageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  subject: descriptor.optional(),
  annotations,
});

const imageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptor),
  subject: descriptor.optional(),
  annotations,
});

/** What the referrers API says of a manifest that names a subject. */
export interface Referrer {
  /** The subject's digest. */
  subject: string;
  /** image-spec §Guidelines for Artifact Usage: `artifactType`, else the config's media type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface ParsedManifest {
  mediaType: string;
  /** Blobs (config, layers) that must be in the repository first. */
  blobs: string[];
  /** Manifests (an index's entries) that must be in the repository first. */
  manifests: string[];
  /** Set when the manifest has a `subject`. */
  referrer?: Referrer;
}

/**
 * Parses manifest bytes pushed with `contentType`. The media type is the body's
 * `mediaType` field, else the Content-Type header, else inferred from the shape (OCI
 * image-spec makes the field optional). Foreign layers (with `urls`) are not required.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SlipwayError('MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  const header = contentType?.split(';')[0]?.trim();
  const declared = (json as { mediaType?: unknown } | null)?.mediaType;
  const fromBody = typeof declared === 'string' ? declared : undefined;
  if (fromBody !== undefined && header !== undefined && isKnown(header) && header !== fromBody) {
    throw new SlipwayError('MANIFEST_INVALID', `Content-Type ${header} does not match mediaType ${fromBody}`);
  }
  const hasManifests = typeof json === 'object' && json !== null && 'manifests' in json;
  const mediaType =
    fromBody ?? (header !== undefined && isKnown(header) ? header : hasManifests ? mediaTypes.ociIndex : mediaTypes.ociManifest);

  if (imageTypes.has(mediaType)) {
    const m = check(imageManifest, json, mediaType);
    const layers = m.layers.filter((l) => l.urls === undefined || l.urls.length === 0);
    const referrer = referrerOf(m.subject, m.artifactType ?? m.config.mediaType, m.annotations);
    return { mediaType, blobs: [m.config, ...layers].map(descriptorDigest), manifests: [], ...(referrer && { referrer }) };
  }
  if (indexTypes.has(mediaType)) {
    const m = check(imageIndex, json, mediaType);
    const referrer = referrerOf(m.subject, m.artifactType, m.annotations);
    return { mediaType, blobs: [], manifests: m.manifests.map(descriptorDigest), ...(referrer && { referrer }) };
  }
  throw new SlipwayError('MANIFEST_INVALID', `unsupported manifest media type: ${mediaType}`);
}

function referrerOf(
  subject: { digest: string } | undefined,
  artifactType: string | undefined,
  notes: Record<string, string> | undefined,
): Referrer | undefined {
  if (subject === undefined) return undefined;
  const digest = parseDigest(subject.digest);
  if (digest === undefined) throw new SlipwayError('MANIFEST_INVALID', `invalid subject digest: ${subject.digest}`);
  return { subject: digest, ...(artifactType !== undefined && { artifactType }), ...(notes !== undefined && { annotations: notes }) };
}

function isKnown(type: string): boolean {
  return imageTypes.has(type) || indexTypes.has(type);
}

function check<T>(schema: z.ZodType<T>, json: unknown, mediaType: string): T {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`;
    throw new SlipwayError('MANIFEST_INVALID', `invalid ${mediaType}: ${where}`);
  }
  return result.data;
}

function descriptorDigest(d: { digest: string }): string {
  const digest = parseDigest(d.digest);
  // A digest of another algorithm cannot name anything stored here.
  if (digest === undefined) throw new SlipwayError('MANIFEST_BLOB_UNKNOWN', undefined, { detail: { digest: d.digest } });
  return digest;
}
