// The per-job log cap (issue 10 item 6, config `logs.maxJobBytes`): the server counts what
// it stores of each job attempt's log; of the chunk that would pass the cap only the whole
// lines that fit are kept, then one marker line, and everything after it is dropped. The job keeps running and its result is
// not changed: the cap bounds storage and readers, not the job. Enforced where chunks are
// stored, so a runner cannot write past it.

/** `100 MB`, `64 kB`, or bytes: how the marker names the cap. */
export function formatBytes(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6} MB`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3} kB`;
  return `${n} bytes`;
}

export function truncationMarker(maxBytes: number): string {
  return `##[warning]log truncated: this job wrote more than ${formatBytes(maxBytes)}; further output is dropped (the job keeps running; the limit is the server's logs.maxJobBytes)\n`;
}

export class LogCap {
  readonly #max: number;
  #bytes = 0;
  #truncated = false;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /**
   * What to store for a chunk: the chunk itself; for the chunk that passes the cap, its
   * whole lines that still fit, then the marker (once); after that, nothing.
   */
  admit(text: string): string | undefined {
    if (this.#truncated) return undefined;
    const size = Buffer.byteLength(text);
    if (this.#bytes + size > this.#max) {
      this.#truncated = true;
      const fits = Buffer.from(text).subarray(0, this.#max - this.#bytes);
      // Cut after a newline byte: it never falls inside a UTF-8 character.
      const kept = fits.subarray(0, fits.lastIndexOf(0x0a) + 1).toString();
      this.#bytes += Buffer.byteLength(kept);
      return kept + truncationMarker(this.#max);
    }
    this.#bytes += size;
    return text;
  }

  /** A chunk admitted but not stored (a retried upload the store already had) does not count twice. */
  notStored(text: string): void {
    if (!this.#truncated) this.#bytes -= Buffer.byteLength(text);
  }
}
