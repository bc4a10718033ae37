// pkt-line framing (gitprotocol-common(5) §pkt-line Format): four hex digits giving the length
// including themselves, then the payload. "0000" is a flush-pkt; v2 adds "0001" (delim-pkt)
// and "0002" (response-end-pkt).

type PktLine =
  | { kind: 'flush' }
  | { kind: 'delim' }
  | { kind: 'response-end' }
  | { kind: 'data'; payload: Buffer };

/** The largest pkt-line a peer may send: 65520 bytes including the 4-byte header. */
const maxPktLength = 65520;

export function encodePktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = body.length + 4;
  if (length > maxPktLength) throw new RangeError(`pkt-line payload too long: ${body.length} bytes`);
  return Buffer.concat([Buffer.from(length.toString(16).padStart(4, '0'), 'ascii'), body]);
}

export const flushPkt = Buffer.from('0000', 'ascii');

/**
 * Incremental reader: `push` chunks as they arrive, then call `next` until it returns undefined.
 * Lines are parsed one at a time, so a caller can stop at a flush-pkt and never look at what
 * follows it (in a push, the pack).
 */
export class PktLineReader {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
  }

  /** The next complete pkt-line, or undefined until more input arrives. Throws a RangeError on bad framing. */
  next(): PktLine | undefined {
    const buf = this.#pending;
    if (buf.length < 4) return undefined;
    const header = buf.subarray(0, 4).toString('ascii');
    if (!/^[0-9a-f]{4}$/i.test(header)) throw new RangeError(`bad pkt-line header ${JSON.stringify(header)}`);
    const length = Number.parseInt(header, 16);
    if (length < 4) {
      if (length === 3) throw new RangeError('bad pkt-line length 3');
      this.#pending = buf.subarray(4);
      return { kind: length === 0 ? 'flush' : length === 1 ? 'delim' : 'response-end' };
    }
    if (length > maxPktLength) throw new RangeError(`pkt-line too long: ${length}`);
    if (buf.length < length) return undefined;
    this.#pending = buf.subarray(length);
    return { kind: 'data', payload: Buffer.from(buf.subarray(4, length)) };
  }
}
