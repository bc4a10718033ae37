// sha256 digests (OCI image-spec §Digests). Only sha256 is accepted: it is what every
// client pushes, and a single algorithm keeps blobs addressable by one key.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { SlipwayError } from '../core/errors.ts';

const sha256Pattern = /^sha256:([a-f0-9]{64})$/;

/** The digest if `value` is a well-formed sha256 digest, else undefined. */
export function parseDigest(value: string): string | undefined {
  return sha256Pattern.test(value) ? value : undefined;
}

/** Throws DIGEST_INVALID unless `value` is a well-formed sha256 digest. */
export function assertDigest(value: string | null | undefined): string {
  const digest = value === null || value === undefined ? undefined : parseDigest(value);
  if (digest === undefined) throw new SlipwayError('DIGEST_INVALID', `invalid digest: ${String(value)}`);
  return digest;
}

/** The 64 hex characters of a valid digest. */
export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function digestOfHash(hash: Hash): string {
  return `sha256:${hash.copy().digest('hex')}`;
}

/**
 * Passes bytes through while hashing them into `hash` (a fresh one by default, or the
 * running hash of an upload session). With `expected`, fails with DIGEST_INVALID at the
 * end of the stream, before a consumer such as StorageDriver.writeAtomic commits anything.
 */
export class DigestingStream extends Transform {
  readonly #hash: Hash;
  readonly #expected: string | undefined;

  constructor(options: { expected?: string; hash?: Hash } = {}) {
    super();
    this.#hash = options.hash ?? createHash('sha256');
    this.#expected = options.expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#expected === undefined) return callback();
    const actual = digestOfHash(this.#hash);
    if (actual !== this.#expected) {
      callback(new SlipwayError('DIGEST_INVALID', undefined, { detail: { expected: this.#expected, actual } }));
    } else {
      callback();
    }
  }
}
