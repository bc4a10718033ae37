// Digests (OCI image-spec §Digests): `sha256:<64 hex>` and `sha512:<128 hex>`, the two
// registered algorithms. A blob or manifest is stored under the digest it was pushed with,
// so a sha512 push is verified with sha512 and fetched by the same sha512 digest.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
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
 * Passes bytes through while hashing them into `hash` (a fresh one by default, of the
 * expected digest's algorithm, or the running sha256 of an upload session). With
 * `expected`, fails with DIGEST_INVALID at the end of the stream, before a consumer such
 * as StorageDriver.writeAtomic commits anything.
 */
export class DigestingStream extends Transform {
  readonly #hash: Hash;
  readonly #expected: string | undefined;
  readonly #algorithm: DigestAlgorithm;

  constructor(options: { expected?: string; hash?: Hash } = {}) {
    // Socket chunks are small; a large buffer lets the writer batch them (see fs-driver).
    super({ highWaterMark: 1024 * 1024 });
    this.#algorithm = options.expected === undefined ? 'sha256' : digestAlgorithm(options.expected);
    this.#hash = options.hash ?? createHash(this.#algorithm);
    this.#expected = options.expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#expected === undefined) return callback();
    const actual = digestOfHash(this.#hash, this.#algorithm);
    if (actual !== this.#expected) {
      callback(new SlipwayError('DIGEST_INVALID', undefined, { detail: { expected: this.#expected, actual } }));
    } else {
      callback();
    }
  }
}
