// `storage:`: files by default, a bucket from config.yml or SLIPWAY_STORAGE_*, and a redirect
// only where there is a bucket to redirect to.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

function withDataDir<T>(yaml: string | undefined, fn: (dataDir: string) => T): T {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-storage-settings-'));
  try {
    if (yaml !== undefined) writeFileSync(join(dataDir, 'config.yml'), yaml);
    return fn(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bucket = 'storage:\n  kind: s3\n  endpoint: http://127.0.0.1:9000\n  bucket: ci-data\n  accessKeyId: AKID\n  secretAccessKey: s3cr3t\n  prefix: slipway/\n';

test('storage is unset by default (files, or the bucket registry.storage names: src/storage/from-config.ts)', () => {
  withDataDir(undefined, (dataDir) => assert.equal(loadConfig({ dataDir, env: {} }).storage, undefined));
  withDataDir('storage: { kind: fs }\n', (dataDir) => assert.deepEqual(loadConfig({ dataDir, env: {} }).storage, { kind: 'fs', redirect: false, redirectSeconds: 300 }));
});

test('a bucket from config.yml, with a redirect', () => {
  withDataDir(`${bucket}  redirect: true\n`, (dataDir) => {
    const s = loadConfig({ dataDir, env: {} }).storage;
    assert.deepEqual(s?.kind === 's3' && [s.bucket, s.prefix, s.region, s.redirect, s.redirectSeconds], ['ci-data', 'slipway/', 'us-east-1', true, 300]);
  });
});

test('SLIPWAY_STORAGE_* set the bucket; keys are taken as written', () => {
  const env = { SLIPWAY_STORAGE_KIND: 's3', SLIPWAY_STORAGE_S3_BUCKET: 'b-1', SLIPWAY_STORAGE_S3_ACCESS_KEY_ID: '00123', SLIPWAY_STORAGE_S3_SECRET_ACCESS_KEY: '0042', SLIPWAY_STORAGE_REDIRECT: 'true' };
  withDataDir(undefined, (dataDir) => {
    const s = loadConfig({ dataDir, env }).storage;
    assert.deepEqual(s?.kind === 's3' && [s.bucket, s.accessKeyId, s.secretAccessKey, s.redirect], ['b-1', '00123', '0042', true]);
  });
});

test('storage.redirect on files is refused, naming the key and why', () => {
  withDataDir('storage:\n  kind: fs\n  redirect: true\n', (dataDir) =>
    assert.throws(() => loadConfig({ dataDir, env: {} }), /config\.yml: storage\.redirect: needs storage\.kind: s3/),
  );
  withDataDir(undefined, (dataDir) =>
    assert.throws(() => loadConfig({ dataDir, env: { SLIPWAY_STORAGE_REDIRECT: 'true' } }), /SLIPWAY_STORAGE_REDIRECT: storage\.redirect: needs storage\.kind: s3/),
  );
});
