import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSecret, encryptSecret, loadOrCreateSecretsKey, secretsKeyPath } from './secrets-crypto.ts';
import { maskSecrets } from '../core/mask.ts';

test('the key is created once, 32 random bytes, mode 0600', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-key-'));
  try {
    const key = loadOrCreateSecretsKey(dir);
    assert.equal(key.length, 32);
    assert.equal((await stat(secretsKeyPath(dir))).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateSecretsKey(dir), key);
    assert.match(await readFile(secretsKeyPath(dir), 'utf8'), /^[A-Za-z0-9+/=]+\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('values round-trip; a fresh IV each time; bound to their place; tampering is detected', () => {
  const key = Buffer.alloc(32, 7);
  const a = encryptSecret(key, 'p/dev/API_KEY', 's3cr3t value');
  const b = encryptSecret(key, 'p/dev/API_KEY', 's3cr3t value');
  assert.notEqual(a, b);
  assert.ok(!a.includes('s3cr3t'));
  assert.equal(decryptSecret(key, 'p/dev/API_KEY', a), 's3cr3t value');
  assert.throws(() => decryptSecret(key, 'p/prod/API_KEY', a), /cannot be decrypted/);
  assert.throws(() => decryptSecret(Buffer.alloc(32, 8), 'p/dev/API_KEY', a), /cannot be decrypted/);
  const raw = Buffer.from(a.slice(3), 'base64');
  raw[raw.length - 1]! ^= 1;
  assert.throws(() => decryptSecret(key, 'p/dev/API_KEY', `v1:${raw.toString('base64')}`), /cannot be decrypted/);
});

test('masking replaces every value, longest first', () => {
  assert.equal(maskSecrets('token=abcdef and abc', ['abc', 'abcdef', '']), 'token=*** and ***');
});
