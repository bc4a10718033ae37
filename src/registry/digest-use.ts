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
//
// Several servers on one storage and one database (issue 13): each request's hold and use
// is also written to the database (`SharedDigestUse`, store/repos/registry-digests.ts)
// before the request checks anything, and a deletion is marked there before the collector
// checks for holds and uses. Each side writes, then reads the other's record, so a
// collector on server A and a manifest push on server B racing for one digest never both
// miss each other: either A sees B's hold and spares the digest, or B sees A's deletion,
// waits for it to end and finds the blob gone (MANIFEST_BLOB_UNKNOWN, which the client
// answers by pushing the blob again). The collector's check-then-delete alone could not be
// made safe: B's write may land between A's last check and its delete.

/** What other servers see of this one's uses (store/repos/registry-digests.ts). */
export interface SharedDigestUse {
  hold(digests: readonly string[], ttlMs: number): Promise<string[]>;
  release(ids: readonly string[], digests: readonly string[]): Promise<void>;
  deleting(digests: readonly string[]): Promise<string[]>;
  startDeletion(digest: string): Promise<boolean>;
  endDeletion(digest: string): Promise<void>;
  inUse(digest: string, usedSince: number): Promise<boolean>;
  prune(before: number): Promise<void>;
}

/** A hold outlives a server that died holding it by this much, at most. */
const sharedHoldTtlMs = 60 * 60_000;
/** How often a request asks whether another server's deletion has ended. */
const deletionPollMs = 50;

export class DigestUse {
  /** Bumped by every use and every collection start: orders them without clock ties. */
  #seq = 0;
  readonly #held = new Map<string, number>();
  readonly #last = new Map<string, { seq: number; at: number }>();
  readonly #deleting = new Map<string, Promise<unknown>>();
  readonly #now: () => number;
  readonly #limit: number;
  readonly #shared: { ledger: SharedDigestUse; log: (message: string) => void } | undefined;
  /** When each recent collection began (`begin`'s number → time), for the shared uses. */
  readonly #began = new Map<number, number>();

  /**
   * Remembers the last `limit` digests used; an older use keeps nothing (a client that read
   * a blob and then pushes a manifest naming it may get MANIFEST_BLOB_UNKNOWN and retry;
   * holds are never forgotten, so nothing a push checked goes).
   */
  constructor(now: () => number = Date.now, limit = 100_000, shared?: { ledger: SharedDigestUse; log: (message: string) => void }) {
    this.#now = now;
    this.#limit = limit;
    this.#shared = shared;
  }

  /** A collection begins: uses after this point make `sweep` refuse. */
  begin(): number {
    const seq = ++this.#seq;
    this.#began.set(seq, this.#now());
    for (const k of this.#began.keys()) if (this.#began.size > 8) this.#began.delete(k);
    return seq;
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
    let sharedIds: Promise<string[]> = Promise.resolve([]);
    const release = (): void => {
      if (released) return;
      released = true;
      for (const d of list) {
        const n = (this.#held.get(d) ?? 1) - 1;
        if (n === 0) this.#held.delete(d);
        else this.#held.set(d, n);
        this.#touch(d);
      }
      const shared = this.#shared;
      if (shared) {
        void sharedIds
          .then((ids) => shared.ledger.release(ids, list))
          .catch((err: unknown) => shared.log(`registry: releasing held digests for other servers' gc (they expire): ${(err as Error).message}`));
      }
    };
    try {
      // A deletion's own error is the collector's to report; here only its end matters.
      await Promise.all(list.map((d) => this.#deleting.get(d)?.then(ignore, ignore)));
      if (this.#shared) {
        sharedIds = this.#shared.ledger.hold(list, sharedHoldTtlMs);
        await sharedIds;
        // Another server's collector may be deleting one of them: what is checked next must be what stays.
        while ((await this.#shared.ledger.deleting(list)).length > 0) await new Promise((r) => setTimeout(r, deletionPollMs));
      }
    } catch (err) {
      release();
      throw err;
    }
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
    const deleting = this.#shared ? this.#sweepShared(this.#shared.ledger, digest, Math.min(this.#began.get(since) ?? 0, this.#now() - graceMs), remove) : remove();
    this.#deleting.set(digest, deleting);
    try {
      return await deleting;
    } finally {
      this.#deleting.delete(digest);
    }
  }

  /** The deletion marked for other servers first, then their holds and uses checked (see the top). */
  async #sweepShared<T>(ledger: SharedDigestUse, digest: string, usedSince: number, remove: () => Promise<T>): Promise<T | undefined> {
    if (!(await ledger.startDeletion(digest))) return undefined;
    try {
      if (await ledger.inUse(digest, usedSince)) return undefined;
      return await remove();
    } finally {
      await ledger.endDeletion(digest);
    }
  }

  /** Forgets uses older than `graceMs`: they no longer keep anything, so memory stays bounded. */
  forget(graceMs: number): Promise<void> {
    const cutoff = this.#now() - graceMs;
    for (const [d, last] of this.#last) if (last.at < cutoff && !this.#held.has(d)) this.#last.delete(d);
    return this.#shared?.ledger.prune(cutoff) ?? Promise.resolve();
  }
}

const ignore = (): void => undefined;
