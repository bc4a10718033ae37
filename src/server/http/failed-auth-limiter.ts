// Slows guessing: an address that fails authentication `limit` times within `windowMs` is
// refused (429, Retry-After) for a while, twice as long after each further round, up to
// `maxBlockMs`. Counters live in a Map bounded to `maxAddresses` entries (the oldest is
// dropped), so a flood from many addresses costs bounded memory.
interface FailedAuthLimits {
  limit: number;
  windowMs: number;
  maxBlockMs: number;
  maxAddresses: number;
}

const defaultFailedAuthLimits: FailedAuthLimits = { limit: 10, windowMs: 60_000, maxBlockMs: 60 * 60_000, maxAddresses: 10_000 };

interface Entry {
  windowStart: number;
  failures: number;
  /** Blocks served in a row; reset once the address stays quiet for a full block plus a window. */
  strikes: number;
  blockedUntil: number;
}

export class FailedAuthLimiter {
  readonly #limits: FailedAuthLimits;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(limits: Partial<FailedAuthLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...defaultFailedAuthLimits, ...limits };
    this.#now = now;
  }

  /** Seconds the address must wait before trying again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const e = this.#entries.get(address);
    const wait = e ? e.blockedUntil - this.#now() : 0;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** Counts a failed authentication; returns the seconds to wait when this one started a block. */
  failed(address: string): number {
    const now = this.#now();
    const { limit, windowMs, maxBlockMs } = this.#limits;
    let e = this.#entries.get(address);
    if (e) this.#entries.delete(address); // re-inserted below: the Map's order is least recently failed first
    if (!e) e = { windowStart: now, failures: 0, strikes: 0, blockedUntil: 0 };
    const lastBlock = Math.min(maxBlockMs, windowMs * 2 ** Math.max(0, e.strikes - 1));
    if (e.strikes > 0 && now > e.blockedUntil + lastBlock + windowMs) e.strikes = 0;
    if (now - e.windowStart > windowMs) {
      e.windowStart = now;
      e.failures = 0;
    }
    e.failures += 1;
    let wait = 0;
    if (e.failures >= limit) {
      e.strikes += 1;
      const block = Math.min(maxBlockMs, windowMs * 2 ** (e.strikes - 1));
      e.blockedUntil = now + block;
      e.failures = 0;
      e.windowStart = now;
      wait = Math.ceil(block / 1000);
    }
    this.#entries.set(address, e);
    while (this.#entries.size > this.#limits.maxAddresses) this.#entries.delete(this.#entries.keys().next().value!);
    return wait;
  }

  get size(): number {
    return this.#entries.size;
  }
}
