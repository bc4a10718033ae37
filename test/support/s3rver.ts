// A throwaway S3 endpoint for tests: s3rver (npm) on a free loopback port, storing in a temp
// dir. S3 itself, or MinIO at scale, cannot run on this machine; s3rver is the S3-compatible
// server available here, so the S3 driver is tested against it (no multipart listing, no
// UploadPartCopy: the driver does without both).
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import type { S3DriverOptions } from '../../src/storage/s3/s3-driver.ts';

export interface TestS3 {
  /** Options for createS3Driver (or `registry.storage`) reaching this endpoint's bucket. */
  options: S3DriverOptions;
  /** The directory s3rver stores the bucket in. */
  directory: string;
  close: () => Promise<void>;
}

interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'slipway-test'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'slipway-s3rver-'));
  const server = new (S3rver as new (o: object) => S3rverServer)({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    // s3rver's own fixed credentials (S3RVER/S3RVER); it checks the signature like S3 does.
    options: { endpoint: `http://127.0.0.1:${port}`, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    directory,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The SLIPWAY_* settings that put a server's registry in this endpoint's bucket. */
export function registryS3Env(s3: TestS3): NodeJS.ProcessEnv {
  const o = s3.options;
  return {
    SLIPWAY_REGISTRY_STORAGE_KIND: 's3',
    SLIPWAY_REGISTRY_S3_ENDPOINT: o.endpoint,
    SLIPWAY_REGISTRY_S3_BUCKET: o.bucket,
    SLIPWAY_REGISTRY_S3_REGION: o.region,
    SLIPWAY_REGISTRY_S3_ACCESS_KEY_ID: o.accessKeyId,
    SLIPWAY_REGISTRY_S3_SECRET_ACCESS_KEY: o.secretAccessKey,
    SLIPWAY_REGISTRY_S3_FORCE_PATH_STYLE: 'true',
  };
}
