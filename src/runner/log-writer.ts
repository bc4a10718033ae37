// Buffers a job's output and ships it in numbered chunks: at most every `flushMs`, or
// sooner when a chunk grows large. Numbering makes retried uploads idempotent. Registered
// secrets (and their encodings, src/core/mask.ts) are masked before anything leaves the
// runner, also when a secret arrives split across two writes: the end of a chunk that could
// be the start of a secret waits for the next chunk.
import { Masker } from '../core/mask.ts';
import type { LogChunk } from './protocol/runner-api.ts';

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
  readonly #masker = new Masker();
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

  /** Masks `secret`, its encodings and, as GitHub's runner does for a multi-line value, each of its lines. */
  addMask(secret: string): void {
    this.#masker.add(secret);
  }

  mask(text: string): string {
    return this.#masker.mask(text);
  }

  write(text: string): void {
    this.#buffer += text;
    if (this.#buffer.length >= this.#maxChunk) this.#ship(false);
    else this.#timer ??= setTimeout(() => this.#ship(false), this.#flushMs);
  }

  line(text: string): void {
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Ships everything written so far (the job's end: nothing more can complete a secret). */
  async flush(): Promise<void> {
    this.#ship(true);
    await this.#chain;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure) throw failure;
  }

  /**
   * The job's end, for a caller that ships the last chunk itself (with the job's report, one
   * request instead of two): waits for the chunks already queued, then answers what is left
   * as the next numbered chunk, taken out of the writer, or undefined when nothing is left.
   * A failed earlier upload throws, as flush() does.
   */
  async takeRest(): Promise<LogChunk | undefined> {
    await this.#queued();
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure) throw failure;
    return this.#take(true);
  }

  /**
   * Hands what was written so far (as the timer would ship it) to `call`, which carries it in
   * a request it makes anyway (a step's start: one request instead of two), after the chunks
   * already queued. Should `call` fail, the chunk is queued as any other, so nothing is lost.
   */
  async carry<T>(call: (chunk: LogChunk | undefined) => Promise<T>): Promise<T> {
    await this.#queued();
    const chunk = this.#take(false);
    try {
      return await call(chunk);
    } catch (err) {
      if (chunk) this.#queue(chunk);
      throw err;
    }
  }

  /** Waits for the chunks already queued, with the timer stopped: it would ship mid-wait what the caller takes. */
  async #queued(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }

  /** Queues the buffer's upload; a failure is kept for the next flush, never left unhandled. */
  #ship(all: boolean): void {
    const chunk = this.#take(all);
    if (chunk) this.#queue(chunk);
  }

  /** Takes the buffer out as the next numbered chunk (all of it, or up to a possible secret's start). */
  #take(all: boolean): LogChunk | undefined {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const masked = this.mask(this.#buffer);
    // The kept end waits for the next write (or the final flush); it is masked text, and
    // masking it again together with what follows changes nothing of what was hidden.
    const keep = all ? 0 : this.#masker.pendingLength(masked);
    const text = masked.slice(0, masked.length - keep);
    this.#buffer = masked.slice(masked.length - keep);
    return text.length > 0 ? { seq: this.#seq++, text } : undefined;
  }

  #queue({ seq, text }: LogChunk): void {
    // A failed upload must not become an unhandled rejection that takes the runner down
    // (a chunk shipped by the timer or its size has no one awaiting it): the error is
    // kept and reported by the next flush.
    this.#chain = this.#chain.then(() => this.#send(seq, text)).catch((err: unknown) => {
      this.#failure ??= err;
    });
  }
}
