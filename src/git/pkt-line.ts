// pkt-line framing (gitprotocol-common(5) §pkt-line Format): four hex digits giving the length
// including themselves, then the payload. "0000" is a flush-pkt; v2 adds "0001" (delim-pkt)
// and "0002" (response-end-pkt).

export type PktLine =
  | { kind: 'flush' }
  | { kind: 'delim' }
  | { kind: 'response-end' }
  | { kind: 'data'; payload: Buffer };

/** The largest pkt-line a peer may send: 65520 bytes including the 4-byte header. */
export const maxPktLength = 65520;

export function encodePktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = body.length + 4;
  if (length > maxPktLength) throw new RangeError(`pkt-line payload too long: ${body.length} bytes`);
  return Buffer.concat([Buffer.from(length.toString(16).padStart(4, '0'), 'ascii'), body]);
}

export const flushPkt = Buffer.from('0000', 'ascii');

/** Incremental reader: feed it chunks as they arrive, get back the complete pkt-lines so far. */
export class PktLineReader {
  #pending: Buffer = Buffer.alloc(0);

  /** Throws a RangeError when the input is not pkt-line framed. */
  push(chunk: Buffer): PktLine[] {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const lines: PktLine[] = [];
    while (buf.length >= 4) {
      const header = buf.subarray(0, 4).toString('ascii');
      if (!/^[0-9a-f]{4}$/i.test(header)) throw new RangeError(`bad pkt-line header ${JSON.stringify(header)}`);
      const length = Number.parseInt(header, 16);
      if (length < 4) {
        if (length === 3) throw new RangeError('bad pkt-line length 3');
        lines.push({ kind: length === 0 ? 'flush' : length === 1 ? 'delim' : 'response-end' });
        buf = buf.subarray(4);
        continue;
      }
      if (length > maxPktLength) throw new RangeError(`pkt-line too long: ${length}`);
      if (buf.length < length) break;
      lines.push({ kind: 'data', payload: Buffer.from(buf.subarray(4, length)) });
      buf = buf.subarray(length);
    }
    // Copy so a partial line does not pin the caller's (possibly large) chunk.
    this.#pending = Buffer.from(buf);
    return lines;
  }
}
