// Messages for the pusher at the end of a push, the way a post-receive hook's output reaches
// them (`remote: …` lines): receive-pack's response, when the client asked for side-band-64k,
// is pkt-lines of band 1 (report-status) and band 2 (progress) closed by one flush-pkt
// (gitprotocol-pack(5) §Reporting status; §Packfile data, side-band). The flush-pkt is held
// back while git answers, band-2 lines are written before it once Slipway knows what the
// push started, then the flush ends the response. Without side-band nothing is added.
import { encodePktLine, flushPkt } from './pkt-line.ts';

export class SidebandTail {
  #pending: Buffer = Buffer.alloc(0);
  #heldFlush = false;
  #sideband: boolean | undefined;
  #passThrough = false;

  /** Bytes of git's response body to write now: everything but a trailing flush-pkt (and an unfinished pkt-line). */
  push(chunk: Buffer): Buffer {
    if (this.#passThrough) return chunk;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const buf = this.#pending;
      if (buf.length < 4) break;
      const header = buf.subarray(0, 4).toString('ascii');
      const length = /^[0-9a-f]{4}$/i.test(header) ? Number.parseInt(header, 16) : -1;
      if (length < 0 || length === 3 || (length > 4 && length > 65520)) {
        // Not pkt-lines after all: hand everything on untouched from here.
        if (this.#heldFlush) out.push(flushPkt);
        out.push(buf);
        this.#heldFlush = false;
        this.#pending = Buffer.alloc(0);
        this.#passThrough = true;
        break;
      }
      const size = length < 4 ? 4 : length;
      if (buf.length < size) break;
      if (this.#heldFlush) out.push(flushPkt);
      this.#heldFlush = length === 0;
      if (length > 4) this.#sideband ??= buf[4] === 1 || buf[4] === 2;
      if (length !== 0) out.push(buf.subarray(0, size));
      this.#pending = buf.subarray(size);
    }
    return Buffer.concat(out);
  }

  /** The rest of the response: `lines` on band 2 (when side-band is on), then the held flush-pkt. */
  finish(lines: readonly string[]): Buffer {
    const out: Buffer[] = [];
    if (this.#sideband && !this.#passThrough) for (const line of lines) out.push(encodePktLine(Buffer.concat([Buffer.from([2]), Buffer.from(`${line}\n`, 'utf8')])));
    if (this.#heldFlush) out.push(flushPkt);
    out.push(this.#pending);
    this.#heldFlush = false;
    this.#pending = Buffer.alloc(0);
    return Buffer.concat(out);
  }
}
