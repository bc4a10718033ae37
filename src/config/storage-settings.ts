// `storage:` in config.yml: the one object store behind registry blobs, artifacts, caches and
// archived logs (src/storage/from-config.ts). Files in the data dir by default, or an
// S3-compatible bucket. `registry.storage`, the older key, still names the registry's own
// store (registry-settings.ts); docs/architecture.md "Object storage".
import { z } from 'zod';

/**
 * An S3-compatible bucket (src/storage/s3/). The keys are secrets of the
 * installation: they are never logged, and config.yml is kept 0600 (docs/security.md).
 */
export const s3Storage = z.strictObject({
  kind: z.literal('s3'),
  /** The endpoint URL; omitted: AWS S3's own for the region. */
  endpoint: z.url().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 of a-z 0-9 . -)'),
  region: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  /** Buckets addressed as endpoint/bucket (MinIO, Ceph, s3rver) rather than bucket.endpoint. */
  forcePathStyle: z.boolean().default(false),
  /** A key prefix inside the bucket, e.g. `slipway/`; empty: the bucket's root. */
  prefix: z.string().regex(/^([A-Za-z0-9_:-][A-Za-z0-9._:-]*\/)*$/, 'expected path segments each ending in "/", e.g. slipway/').default(''),
});

export const fsStorage = z.strictObject({ kind: z.literal('fs') });

/** `registry.storage`: as before `storage:` existed, files or a bucket for the registry alone. */
export const registryStorage = z.discriminatedUnion('kind', [fsStorage, s3Storage]);

/** How long a presigned download URL stays valid: long enough to start a layer's download, short enough not to be worth stealing. */
const redirectSeconds = z.number().int().min(10).max(3600).default(300);

/** `kind` may be left out for files (e.g. only SLIPWAY_STORAGE_REDIRECT set), so the message is about what is wrong. */
const fsUnlessSaid = (value: unknown): unknown => (value !== null && typeof value === 'object' && !('kind' in value) ? { kind: 'fs', ...value } : value);

export const storageSettings = z
  .preprocess(fsUnlessSaid, z.discriminatedUnion('kind', [
    fsStorage.extend({ redirect: z.boolean().default(false), redirectSeconds }),
    s3Storage.extend({
      /**
       * Registry blob GETs and artifact downloads answer 307 to a presigned URL of the bucket
       * (after the access check), so the bytes do not pass through this server.
       */
      redirect: z.boolean().default(false),
      redirectSeconds,
    }),
  ]).superRefine((s, ctx) => {
    if (s.kind === 'fs' && s.redirect) ctx.addIssue({ code: 'custom', path: ['redirect'], message: 'needs storage.kind: s3 (a redirect goes to a presigned URL of the bucket; files in the data dir have none)' });
  }))
  // Absent: files, unless `registry.storage` names a bucket (src/storage/from-config.ts).
  .optional();

export type StorageSettings = z.infer<typeof storageSettings>;
export type RegistryStorageSettings = z.infer<typeof registryStorage>;
