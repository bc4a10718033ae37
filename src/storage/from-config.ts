// The registry's StorageDriver as `registry.storage` in config.yml chooses it: files under
// DATA/registry (the default) or an S3-compatible bucket.
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { StorageDriver } from './driver.ts';
import { createFsDriver } from './fs/fs-driver.ts';
import { checkS3Bucket, createS3Driver } from './s3/s3-driver.ts';

/** Rejects with CONFIG_INVALID when an S3 bucket cannot be reached with the settings. */
export async function storageFromConfig(config: Pick<Config, 'dataDir' | 'registry'>): Promise<StorageDriver> {
  const s = config.registry.storage;
  if (s.kind === 'fs') return createFsDriver({ root: join(config.dataDir, 'registry') });
  await checkS3Bucket(s);
  return createS3Driver(s);
}

/** One line for the start-up log: where, never the keys. */
export function describeStorage(config: Pick<Config, 'dataDir' | 'registry'>): string {
  const s = config.registry.storage;
  if (s.kind === 'fs') return `files in ${join(config.dataDir, 'registry')}`;
  return `S3 bucket ${s.bucket}${s.prefix === '' ? '' : ` under ${s.prefix}`} at ${s.endpoint ?? `AWS ${s.region}`}`;
}
