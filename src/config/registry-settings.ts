// `registry:` in config.yml: when garbage collection runs and what it spares, which
// releases retention keeps, and when an unfinished upload counts as abandoned
// (docs/architecture.md "Registry storage"; src/registry/gc.ts, src/deploy/retention.ts).
import { z } from 'zod';
import { durationSchema } from './duration-schema.ts';
import { registryStorage } from './storage-settings.ts';

export const registrySettings = z
  .strictObject({
    /**
     * The older key: where the registry alone keeps blobs, manifests and upload sessions
     * (files under DATA/registry, or a bucket, keys as they were). Absent: the top-level
     * `storage` (storage-settings.ts), the registry's keys under `registry/` in a bucket.
     */
    storage: registryStorage.optional(),
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
