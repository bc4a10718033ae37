// Keeping the registry's disk from only growing (issue 14): retention untags releases that
// no longer need to stay (deploy/retention.ts), garbage collection frees what nothing
// references (registry/gc.ts) and abandoned uploads are purged (registry/upload-purge.ts).
// All three run on `registry.gc.interval`, one run at a time, and on demand through
// POST /api/registry/gc and /api/registry/retention (`slipway registry`, admins only).
import type { Config } from '../config/config.ts';
import { Serial } from '../core/serial.ts';
import { applyRetention, releasePins, type RetentionReport } from '../deploy/retention.ts';
import type { GcReport } from '../registry/gc.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../store/store.ts';
import { exclusively } from '../store/cluster-lock.ts';

export interface RegistryMaintenance {
  gc(options: { dryRun: boolean }): Promise<GcReport>;
  retention(options: { dryRun: boolean }): Promise<RetentionReport>;
  /** Starts the schedule (if `registry.gc.interval` is not off); returns its stop. */
  schedule(): () => void;
  /** Resolves once the run under way (if any) has ended: before the store closes. */
  idle(): Promise<void>;
}

const firstRunAfterMs = 5 * 60_000;

const mb = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;

export function registryMaintenance(deps: { registry: Registry; store: Store; settings: Config['registry']; log: (message: string) => void }): RegistryMaintenance {
  const { registry, store, settings, log } = deps;
  const policy = settings.retention;
  const serial = new Serial();
  // One run at a time in this process, and across every server on the database.
  const one = { run: <T>(work: () => Promise<T>): Promise<T> => serial.run(() => exclusively(store.db, 'slipway:registry-maintenance', work)) };

  const gc = (dryRun: boolean): Promise<GcReport> =>
    one.run(async () => {
      // Retention's choice is a pin: a kept release stays even if its tag moved. (Disabling
      // retention stops the untagging, not this: a release nothing tags is freed either way
      // once retention would not keep it.)
      const pins = await releasePins(store, policy);
      const r = await registry.collectGarbage({ graceMs: settings.gc.grace, dryRun, pins });
      log(`registry gc${dryRun ? ' (dry run, nothing deleted)' : ''}: ${dryRun ? 'would free' : 'freed'} ${r.blobs} blob(s), ${mb(r.bytes)}; ${r.manifests} manifest(s), ${r.links} repository link(s); ${r.spared} spared as in use; ${r.durationMs} ms`);
      return r;
    });

  const retention = (dryRun: boolean): Promise<RetentionReport> =>
    one.run(async () => {
      const r = await applyRetention({ store, untag: (repo, tag, digest) => registry.untag(repo, tag, digest) }, policy, { dryRun });
      log(`registry retention${dryRun ? ' (dry run)' : ''}: ${r.kept} release(s) kept, ${r.dropped.length} ${dryRun ? 'would go' : 'dropped'}, ${r.untagged} tag(s) removed`);
      return r;
    });

  const sweep = async (): Promise<void> => {
    const purged = await one.run(() => registry.purgeUploads(settings.uploads.maxAge));
    if (purged.uploads > 0 || purged.bytes > 0) log(`registry: purged ${purged.uploads} abandoned upload(s), ${mb(purged.bytes)}`);
    if (settings.retention.enabled) await retention(false);
    await gc(false);
  };

  return {
    gc: ({ dryRun }) => gc(dryRun),
    retention: ({ dryRun }) => retention(dryRun),
    schedule() {
      const every = settings.gc.interval;
      if (every === 0) return () => undefined;
      const run = (): void => void sweep().catch((err: unknown) => log(`registry maintenance: ${(err as Error).stack ?? String(err)}`));
      // The first run comes soon after start, so a server restarted more often than the
      // interval (a laptop, daily) still collects; then every interval.
      let timer = setTimeout(function tick() {
        run();
        timer = setTimeout(tick, every).unref();
      }, Math.min(every, firstRunAfterMs)).unref();
      return () => clearTimeout(timer);
    },
    idle: () => serial.run(async () => undefined),
  };
}
