// AES-256-GCM for secret values at rest (NIST SP 800-38D): a random 32-byte key in
// DATA/secrets.key (0600), a fresh 96-bit IV per value, and the value's place
// (project/environment/name) as additional authenticated data, so a ciphertext copied to
// another secret's row fails to decrypt instead of leaking under the wrong name.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../core/errors.ts';

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

export function secretsKeyPath(dataDir: string): string {
  return join(dataDir, 'secrets.key');
}

/** Reads DATA/secrets.key (or the `secrets.keyFile` several servers share), creating it (random, 0600) on first start. */
export function loadOrCreateSecretsKey(dataDir: string, file = secretsKeyPath(dataDir)): Buffer {
  if (!existsSync(file)) {
    // 'wx': two processes starting at once cannot both write a key; the loser reads the winner's.
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new SlipwayError('CONFIG_INVALID', `${file}: expected a base64 32-byte key, found ${key.length} bytes`);
  return key;
}

/** `v1:` + base64(iv | tag | ciphertext). */
export function encryptSecret(key: Buffer, aad: string, value: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `${version}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decryptSecret(key: Buffer, aad: string, stored: string): string {
  const [v, data] = stored.split(':');
  if (v !== version || !data) throw new SlipwayError('INTERNAL', `secret ${aad}: unknown format`);
  const raw = Buffer.from(data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes), { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(ivBytes, ivBytes + tagBytes));
  try {
    return Buffer.concat([decipher.update(raw.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new SlipwayError('INTERNAL', `secret ${aad} cannot be decrypted (another secrets.key, or a tampered value)`, { cause: err });
  }
}
