// `registry.storage`: files by default, an S3 bucket when config.yml or SLIPWAY_REGISTRY_*
// says so; bad settings name the key and where it came from, never a secret's value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

function withDataDir(yaml: string | undefined, fn: (dataDir: string) => void): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-storage-config-'));
  try {
    if (yaml !== undefined) writeFileSync(join(dataDir, 'config.yml'), yaml);
    fn(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('registry.storage is unset by default: the top-level storage serves the registry too', () => {
  withDataDir(undefined, (dataDir) => assert.deepEqual(loadConfig({ dataDir, env: {} }).registry.storage, undefined));
});

test('an S3 bucket from config.yml, with defaults for region, path style and prefix', () => {
  const yaml = 'registry:\n  storage:\n    kind: s3\n    endpoint: http://127.0.0.1:9000\n    bucket: ci-blobs\n    accessKeyId: AKID\n    secretAccessKey: s3cr3t\n';
  withDataDir(yaml, (dataDir) =>
    assert.deepEqual(loadConfig({ dataDir, env: {} }).registry.storage, {
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'ci-blobs',
      region: 'us-east-1',
      accessKeyId: 'AKID',
      secretAccessKey: 's3cr3t',
      forcePathStyle: false,
      prefix: '',
    }),
  );
});

test('SLIPWAY_REGISTRY_S3_* set every field; keys are taken as written, even all digits', () => {
  const env = {
    SLIPWAY_REGISTRY_STORAGE_KIND: 's3',
    SLIPWAY_REGISTRY_S3_ENDPOINT: 'https://s3.example.net',
    SLIPWAY_REGISTRY_S3_BUCKET: 'blobs.example',
    SLIPWAY_REGISTRY_S3_REGION: 'eu-west-3',
    SLIPWAY_REGISTRY_S3_ACCESS_KEY_ID: '00123',
    SLIPWAY_REGISTRY_S3_SECRET_ACCESS_KEY: '0042',
    SLIPWAY_REGISTRY_S3_FORCE_PATH_STYLE: 'true',
    SLIPWAY_REGISTRY_S3_PREFIX: 'slipway/registry/',
  };
  withDataDir(undefined, (dataDir) =>
    assert.deepEqual(loadConfig({ dataDir, env }).registry.storage, {
      kind: 's3',
      endpoint: 'https://s3.example.net',
      bucket: 'blobs.example',
      region: 'eu-west-3',
      accessKeyId: '00123',
      secretAccessKey: '0042',
      forcePathStyle: true,
      prefix: 'slipway/registry/',
    }),
  );
});

test('bad storage settings name the key and its source, never the secret', () => {
  withDataDir('registry:\n  storage:\n    kind: s3\n    bucket: Bad_Bucket\n    accessKeyId: AKID\n    secretAccessKey: hunter2-secret\n    prefix: ../up\n', (dataDir) => {
    assert.throws(
      () => loadConfig({ dataDir, env: {} }),
      (err: Error) => {
        assert.match(err.message, /config\.yml: registry\.storage\.bucket: expected an S3 bucket name/);
        assert.match(err.message, /config\.yml: registry\.storage\.prefix: expected path segments/);
        assert.doesNotMatch(err.message, /hunter2-secret/);
        return true;
      },
    );
  });
  withDataDir(undefined, (dataDir) =>
    assert.throws(() => loadConfig({ dataDir, env: { SLIPWAY_REGISTRY_STORAGE_KIND: 's3', SLIPWAY_REGISTRY_S3_BUCKET: 'b-1' } }), /registry\.storage\.accessKeyId/),
  );
  withDataDir('registry:\n  storage:\n    kind: fs\n    bucket: b-1\n', (dataDir) =>
    assert.throws(() => loadConfig({ dataDir, env: {} }), /config\.yml: registry\.storage\.bucket: unknown key/),
  );
});
