// The object stores config.yml chooses (`storage`, and the older `registry.storage`):
// files in the data dir (the default) or an S3-compatible bucket. One store is shared by
// artifacts, caches and archived logs, each under its own key prefix (`artifacts/`,
// `caches/`, `logs/`); the registry's keys sit under `registry/` in a bucket, and in
// DATA/registry on files, where they always were. `registry.storage`, when set, keeps the
// registry on a store of its own exactly as before `storage` existed (and, with no `storage`,
// lends its bucket to the rest).
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { StorageDriver } from './driver.ts';
import { createFsDriver } from './fs/fs-driver.ts';
import { checkS3Bucket, createS3Driver } from './s3/s3-driver.ts';

export interface ObjectStorage {
  /** Artifacts, caches and archived logs (keys `artifacts/…`, `caches/…`, `logs/…`). */
  shared: StorageDriver;
  /** Registry blobs, manifests and upload sessions, keyed as the registry lays them out. */
  registry: StorageDriver;
  /** Whether `shared` is this server's own files, which other servers cannot reach. */
  sharedIsLocal: boolean;
}

type StorageConfig = Pick<Config, 'dataDir' | 'registry' | 'storage'>;
type Settings = NonNullable<Config['storage']>;

/**
 * The shared store's settings: `storage`; without it, the registry's bucket when
 * `registry.storage` names one (servers that share that bucket then share artifacts, caches
 * and logs too, under the same prefix beside the registry's keys); else files.
 */
export function sharedSettings(config: StorageConfig): Settings {
  if (config.storage) return config.storage;
  const legacy = config.registry.storage;
  return legacy?.kind === 's3' ? { ...legacy, redirect: false, redirectSeconds: 300 } : { kind: 'fs', redirect: false, redirectSeconds: 300 };
}

/** Rejects with CONFIG_INVALID when a bucket cannot be reached with the settings. */
export async function storageFromConfig(config: StorageConfig): Promise<ObjectStorage> {
  const s = sharedSettings(config);
  const legacy = config.registry.storage;
  let shared: StorageDriver;
  let registry: StorageDriver | undefined;
  if (s.kind === 'fs') {
    shared = createFsDriver({ root: join(config.dataDir, 'storage') });
  } else {
    await checkS3Bucket(s);
    const presignSeconds = s.redirect ? s.redirectSeconds : undefined;
    shared = createS3Driver({ ...s, presignSeconds });
    if (legacy === undefined) registry = createS3Driver({ ...s, prefix: `${s.prefix}registry/`, presignSeconds });
  }
  if (legacy?.kind === 's3') {
    if (config.storage) await checkS3Bucket(legacy);
    registry = createS3Driver(legacy);
  }
  return { shared, registry: registry ?? createFsDriver({ root: join(config.dataDir, 'registry') }), sharedIsLocal: s.kind === 'fs' };
}

/** One line for the start-up log: where, never the keys. */
export function describeStorage(config: StorageConfig): string {
  type Where = Settings | NonNullable<Config['registry']['storage']>;
  const where = (s: Where, dir: string, sub = ''): string => {
    if (s.kind === 'fs') return `files in ${join(config.dataDir, dir)}`;
    const prefix = `${s.prefix}${sub}`;
    return `S3 bucket ${s.bucket}${prefix === '' ? '' : ` under ${prefix}`} at ${s.endpoint ?? `AWS ${s.region}`}`;
  };
  const s = sharedSettings(config);
  const redirect = s.kind === 's3' && s.redirect ? ' (downloads redirected to presigned URLs)' : '';
  const legacy = config.registry.storage;
  const registry = legacy !== undefined ? where(legacy, 'registry') : s.kind === 'fs' ? where(s, 'registry') : `${where(s, 'registry', 'registry/')}${redirect}`;
  return `${where(s, 'storage')}${redirect}; registry: ${registry}`;
}
