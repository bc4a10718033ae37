// Buffers a job's output and ships it in numbered chunks: at most every `flushMs`, or
// sooner when a chunk grows large. Numbering makes retried uploads idempotent. Registered
// secrets are masked before anything leaves the runner.
interface LogWriterOptions {
  startSeq: number;
  send: (seq: number, text: string) => Promise<void>;
  flushMs?: number;
  maxChunk?: number;
}

export class LogWriter {
  #seq: number;
  #buffer = '';
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #masks: string[] = [];
  #failure: unknown;
  readonly #send: LogWriterOptions['send'];
  readonly #flushMs: number;
  readonly #maxChunk: number;

  constructor(options: LogWriterOptions) {
    this.#seq = options.startSeq;
    this.#send = options.send;
    this.#flushMs = options.flushMs ?? 100;
    this.#maxChunk = options.maxChunk ?? 64 * 1024;
  }

  /** Masks `secret` and, as GitHub's runner does for a multi-line value, each of its lines. */
  addMask(secret: string): void {
    const added = [secret, ...secret.split(/\r?\n/).map((line) => line.trim())]
      .filter((value) => value.length > 0 && !this.#masks.includes(value));
    if (added.length === 0) return;
    // Longest first, so a secret containing another is masked whole.
    this.#masks = [...new Set([...this.#masks, ...added])].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const m of this.#masks) out = out.split(m).join('***');
    return out;
  }

  write(text: string): void {
    this.#buffer += text;
    if (this.#buffer.length >= this.#maxChunk) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  }

  line(text: string): void {
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length > 0) {
      // Only complete lines are masked reliably; a secret split across chunks is rare since
      // chunks end on process-output boundaries, and masking the whole buffer covers most.
      const text = this.mask(this.#buffer);
      this.#buffer = '';
      const seq = this.#seq++;
      // A failed upload must not become an unhandled rejection that takes the runner down;
      // the error is kept and reported by the next awaited flush.
      this.#chain = this.#chain.then(() => this.#send(seq, text)).catch((err: unknown) => {
        this.#failure ??= err;
      });
    }
    return this.#chain.then(() => {
      const failure = this.#failure;
      this.#failure = undefined;
      if (failure) throw failure;
    });
  }
}
