// Running sha256 of each upload session, so a chunked upload is hashed as its bytes arrive
// instead of being read again at the end. Node's Hash cannot be saved, so this lives in
// memory: after a restart, an eviction or a failed chunk, or when the previous chunks went to
// another server on the same storage, the entry is missing or stale (its size is not the
// upload's), and the registry hashes what storage holds so far (routes-uploads.ts).
// (The lock is per process: two servers writing one upload at once would need a shared one.)
import type { Hash } from 'node:crypto';

interface Entry {
  hash: Hash;
  /** Bytes hashed so far; the entry is only used when it equals the upload's size. */
  size: number;
}

export class UploadHashes {
  readonly #entries = new Map<string, Entry>();
  readonly #busy = new Set<string>();
  readonly #limit: number;

  constructor(limit = 1000) {
    this.#limit = limit;
  }

  /** The running hash of upload `id` if it covers exactly `size` bytes. */
  get(id: string, size: number): Hash | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.size === size ? entry.hash : undefined;
  }

  set(id: string, hash: Hash, size: number): void {
    this.#entries.delete(id);
    this.#entries.set(id, { hash, size });
    // Abandoned uploads must not grow memory without bound: drop the oldest.
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  /**
   * Claims upload `id` for one request at a time: two chunks written at once would land at
   * the same offset. Returns false when another request holds it.
   */
  lock(id: string): boolean {
    if (this.#busy.has(id)) return false;
    this.#busy.add(id);
    return true;
  }

  unlock(id: string): void {
    this.#busy.delete(id);
  }
}
