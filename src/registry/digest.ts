// Digests (OCI image-spec §Digests): `sha256:<64 hex>` and `sha512:<128 hex>`, the two
// registered algorithms. A blob or manifest is stored under the digest it was pushed with,
// so a sha512 push is verified with sha512 and fetched by the same sha512 digest.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';

export type DigestAlgorithm = 'sha256' | 'sha512';

const digestPattern = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** The digest if `value` is a well-formed sha256 or sha512 digest, else undefined. */
export function parseDigest(value: string): string | undefined {
  return digestPattern.test(value) ? value : undefined;
}

/** Throws DIGEST_INVALID unless `value` is a well-formed digest. */
export function assertDigest(value: string | null | undefined): string {
  const digest = value === null || value === undefined ? undefined : parseDigest(value);
  if (digest === undefined) throw new SlipwayError('DIGEST_INVALID', `invalid digest: ${String(value)}`);
  return digest;
}

/** The algorithm of a valid digest. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** The hex characters of a valid digest. */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function createDigestHash(algorithm: DigestAlgorithm = 'sha256'): Hash {
  return createHash(algorithm);
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function sha256Of(bytes: Uint8Array): string {
  return digestOf(bytes, 'sha256');
}

/** The digest so far of a running `hash` of `algorithm` (the hash stays usable). */
export function digestOfHash(hash: Hash, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${hash.copy().digest('hex')}`;
}

/**
 * Yields the bytes of `source` as they come while hashing them into `hash` (a fresh one by
 * default, of the expected digest's algorithm, or the running sha256 of an upload
 * session): one pass, no copy. With `expected`, throws DIGEST_INVALID after the last
 * chunk, before a consumer such as StorageDriver.writeAtomic commits anything.
 */
export async function* hashing(source: AsyncIterable<Uint8Array>, options: { expected?: string; hash?: Hash } = {}): AsyncGenerator<Uint8Array> {
  const algorithm = options.expected === undefined ? 'sha256' : digestAlgorithm(options.expected);
  const hash = options.hash ?? createHash(algorithm);
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  if (options.expected === undefined) return;
  const actual = digestOfHash(hash, algorithm);
  if (actual !== options.expected) throw new SlipwayError('DIGEST_INVALID', undefined, { detail: { expected: options.expected, actual } });
}
