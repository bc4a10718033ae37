// Where config.yml's `storage` (and the older `registry.storage`) put things, as the
// start-up line says it: the registry where it always was on files, under registry/ in a
// shared bucket, or on a store of its own when registry.storage is set. Never the keys.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { describeStorage } from './from-config.ts';

function describeFor(yaml: string | undefined): { line: string; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-from-config-'));
  try {
    if (yaml !== undefined) writeFileSync(join(dataDir, 'config.yml'), yaml);
    return { line: describeStorage(loadConfig({ dataDir, env: {} })), dataDir };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bucket = 'storage:\n  kind: s3\n  endpoint: http://127.0.0.1:9000\n  bucket: ci-data\n  accessKeyId: AKID\n  secretAccessKey: s3cr3t\n  prefix: slipway/\n';

test('by default: files under DATA/storage, the registry in DATA/registry', () => {
  const { line, dataDir } = describeFor(undefined);
  assert.equal(line, `files in ${join(dataDir, 'storage')}; registry: files in ${join(dataDir, 'registry')}`);
});

test('a bucket for everything: the registry under registry/, downloads redirected', () => {
  const { line } = describeFor(`${bucket}  redirect: true\n`);
  assert.equal(line, 'S3 bucket ci-data under slipway/ at http://127.0.0.1:9000 (downloads redirected to presigned URLs); registry: S3 bucket ci-data under slipway/registry/ at http://127.0.0.1:9000 (downloads redirected to presigned URLs)');
  assert.doesNotMatch(line, /s3cr3t|AKID/);
});

test('registry.storage, the older key, keeps the registry on a store of its own', () => {
  const { line, dataDir } = describeFor(`${bucket}registry:\n  storage: { kind: fs }\n`);
  assert.equal(line, `S3 bucket ci-data under slipway/ at http://127.0.0.1:9000; registry: files in ${join(dataDir, 'registry')}`);
});

test('registry.storage alone names a bucket: artifacts, caches and logs go there too, beside the registry\'s keys', () => {
  const { line } = describeFor('registry:\n  storage:\n    kind: s3\n    endpoint: http://127.0.0.1:9000\n    bucket: blobs\n    accessKeyId: AKID\n    secretAccessKey: s3cr3t\n');
  assert.equal(line, 'S3 bucket blobs at http://127.0.0.1:9000; registry: S3 bucket blobs at http://127.0.0.1:9000');
});
