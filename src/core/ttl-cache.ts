// A short memory of values read from the store, for reads made on nearly every request
// (runner credentials, runner states: store/repos/runner-cache.ts). Each value is kept
// `ttlMs` at most, counted from before it was read, and at most `max` values (the oldest
// go first). `drop` forgets values at once, and also any read under way when it is called:
// a read that overlapped a change may have seen the old value, so it is answered but not
// kept, and cannot put back what the change dropped.
export interface TtlCacheOptions {
  ttlMs: number;
  max: number;
  now?: () => number;
}

export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; until: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;
  /** Counts drops: a read started before the latest one is not kept. */
  #generation = 0;

  constructor(o: TtlCacheOptions) {
    this.#ttlMs = o.ttlMs;
    this.#max = o.max;
    this.#now = o.now ?? Date.now;
  }

  /** The kept value of `key`, else what `load` reads; kept when `keep` says so (never undefined). */
  async get(key: K, load: () => Promise<V | undefined>, keep: (value: V) => boolean = () => true): Promise<V | undefined> {
    const at = this.#now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > at) return hit.value;
    const generation = this.#generation;
    const value = await load();
    if (generation !== this.#generation) return value;
    this.#entries.delete(key);
    if (value !== undefined && keep(value)) {
      this.#entries.set(key, { value, until: at + this.#ttlMs });
      if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  /** Forgets the values `which` matches, and whatever reads are under way. */
  drop(which: (key: K, value: V) => boolean): void {
    this.#generation++;
    for (const [key, entry] of this.#entries) if (which(key, entry.value)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
