// What a stored manifest points at, for garbage collection: read leniently (the bytes were
// validated when pushed), every descriptor the image-spec defines. Config, layers and an
// index's manifests are kept by the manifest; `subject` (image-spec §Image Manifest
// Property Descriptions) points the other way: a referrer (signature, SBOM) lives while its
// subject does, and does not keep the subject alive.

export interface ManifestRefs {
  /** Config, layers (and an artifact's `blobs`): blobs this manifest keeps. */
  blobs: string[];
  /** An index's entries: manifests this one keeps. */
  manifests: string[];
  /** The manifest this one refers to, if any. */
  subject: string | undefined;
}

export function manifestRefs(bytes: Buffer): ManifestRefs {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { blobs: [], manifests: [], subject: undefined };
  }
  const doc = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  return {
    blobs: [...digestsOf(doc.config), ...digestsOf(doc.layers), ...digestsOf(doc.blobs)],
    manifests: digestsOf(doc.manifests),
    subject: digestsOf(doc.subject)[0],
  };
}

function digestsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((d) => {
    const digest = (d as { digest?: unknown } | null)?.digest;
    return typeof digest === 'string' && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest) ? [digest] : [];
  });
}
