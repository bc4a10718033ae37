// What keeps online garbage collection (gc.ts) from deleting a digest a request is about to
// rely on, with no read-only window. Every request that makes a digest reachable (a manifest
// push checking what it references, an upload's commit, a mount) holds it for as long as it
// checks and writes, and every read of a blob holds it while it is served. The collector
// deletes a digest only through `sweep`, which refuses when the digest is held, was used
// since this collection began, or was used within the grace period. The check and the
// start of the deletion run in one synchronous step (one event loop, one process), and a
// request that holds a digest whose deletion is already under way waits for it to end, then
// sees it gone and answers as for any missing blob. So a delete never lands between a
// request's check and its write.
// (One process per storage, as upload-hashes.ts: several would need this in shared state.)
export class DigestUse {
  /** Bumped by every use and every collection start: orders them without clock ties. */
  #seq = 0;
  readonly #held = new Map<string, number>();
  readonly #last = new Map<string, { seq: number; at: number }>();
  readonly #deleting = new Map<string, Promise<unknown>>();
  readonly #now: () => number;
  readonly #limit: number;

  /**
   * Remembers the last `limit` digests used; an older use keeps nothing (a client that read
   * a blob and then pushes a manifest naming it may get MANIFEST_BLOB_UNKNOWN and retry;
   * holds are never forgotten, so nothing a push checked goes).
   */
  constructor(now: () => number = Date.now, limit = 100_000) {
    this.#now = now;
    this.#limit = limit;
  }

  /** A collection begins: uses after this point make `sweep` refuse. */
  begin(): number {
    return ++this.#seq;
  }

  /** Records a use of `digest` that has ended. */
  #touch(digest: string): void {
    this.#last.delete(digest); // re-inserted last: the map's order is the order of use
    this.#last.set(digest, { seq: ++this.#seq, at: this.#now() });
    if (this.#last.size > this.#limit) this.#last.delete(this.#last.keys().next().value!);
  }

  /**
   * Holds `digests` until the returned release is called; resolves once no deletion of any
   * of them is in progress, so what the caller checks next is what stays.
   */
  async hold(digests: Iterable<string>): Promise<() => void> {
    const list = [...new Set(digests)];
    for (const d of list) this.#held.set(d, (this.#held.get(d) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const d of list) {
        const n = (this.#held.get(d) ?? 1) - 1;
        if (n === 0) this.#held.delete(d);
        else this.#held.set(d, n);
        this.#touch(d);
      }
    };
    // A deletion's own error is the collector's to report; here only its end matters.
    await Promise.all(list.map((d) => this.#deleting.get(d)?.then(ignore, ignore)));
    return release;
  }

  /**
   * Runs `remove` unless `digest` is held, was used after `since` (from `begin`), or was used
   * less than `graceMs` ago. Resolves to what `remove` resolved to, or undefined if refused.
   */
  async sweep<T>(digest: string, since: number, graceMs: number, remove: () => Promise<T>): Promise<T | undefined> {
    const last = this.#last.get(digest);
    if (this.#held.has(digest) || this.#deleting.has(digest)) return undefined;
    if (last !== undefined && (last.seq > since || this.#now() - last.at < graceMs)) return undefined;
    const deleting = remove();
    this.#deleting.set(digest, deleting);
    try {
      return await deleting;
    } finally {
      this.#deleting.delete(digest);
    }
  }

  /** Forgets uses older than `graceMs`: they no longer keep anything, so memory stays bounded. */
  forget(graceMs: number): void {
    const cutoff = this.#now() - graceMs;
    for (const [d, last] of this.#last) if (last.at < cutoff && !this.#held.has(d)) this.#last.delete(d);
  }
}

const ignore = (): void => undefined;
