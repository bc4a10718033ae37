// `registry:` in config.yml: when garbage collection runs and what it spares, which
// releases retention keeps, and when an unfinished upload counts as abandoned
// (docs/architecture.md "Registry storage"; src/registry/gc.ts, src/deploy/retention.ts).
import { z } from 'zod';
import { durationSchema } from './duration-schema.ts';

/**
 * An S3-compatible bucket (src/storage/s3/). The keys are secrets of the
 * installation: they are never logged, and config.yml is kept 0600 (docs/security.md).
 */
const s3Storage = z.strictObject({
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

export const registrySettings = z
  .strictObject({
    /** Where blobs, manifests and upload sessions live: files under DATA/registry, or an S3 bucket. */
    storage: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('fs') }), s3Storage]).default({ kind: 'fs' }),
    gc: z
      .strictObject({
        /** How often GC (after retention) runs on its own, first 5 minutes after start; `off` or 0: only `slipway registry gc`. */
        interval: durationSchema(24 * 3_600_000, { off: true }),
        /**
         * Blobs and manifests written or read more recently than this are never deleted: a
         * layer pushed a moment ago waits for its manifest. Longer than any one push takes.
         */
        grace: durationSchema(3_600_000, { off: true }),
      })
      .prefault({}),
    retention: z
      .strictObject({
        /**
         * Whether the scheduled run untags the releases retention drops before GC
         * (`slipway registry retention` works either way). GC keeps every release retention
         * keeps, even one whose tag moved, whether this is on or not.
         */
        enabled: z.boolean().default(true),
        /** The newest releases of each branch (or tag) that stay. */
        keepPerBranch: z.number().int().min(1).default(10),
        /** Releases younger than this many days stay. */
        keepDays: z.number().min(0).default(30),
      })
      .prefault({}),
    uploads: z
      .strictObject({
        /** An upload session started longer ago than this is abandoned and purged. */
        maxAge: durationSchema(24 * 3_600_000),
      })
      .prefault({}),
  })
  .prefault({});
