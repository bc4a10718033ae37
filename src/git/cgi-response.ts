// The head of a CGI response (RFC 3875 §6): header lines, a blank line, then the body.
// `Status: 404 Not Found` sets the HTTP status; without it the status is 200.

interface CgiHead {
  status: number;
  statusMessage: string | undefined;
  headers: Map<string, string[]>;
}

const maxHeadBytes = 64 * 1024;

/** Incremental parser: push stdout chunks until it returns the head and the body bytes after it. */
export class CgiHeadParser {
  #buf: Buffer = Buffer.alloc(0);

  /** Throws when the head is malformed or larger than 64 KiB. */
  push(chunk: Buffer): { head: CgiHead; rest: Buffer } | undefined {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const end = findHeadEnd(this.#buf);
    if (!end) {
      if (this.#buf.length > maxHeadBytes) throw new Error('CGI response head too large');
      return undefined;
    }
    const head = parseHead(this.#buf.subarray(0, end.headEnd).toString('latin1'));
    return { head, rest: this.#buf.subarray(end.bodyStart) };
  }
}

function findHeadEnd(buf: Buffer): { headEnd: number; bodyStart: number } | undefined {
  // RFC 3875 says lines end in LF or CRLF; accept either, whichever blank line comes first.
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

function parseHead(text: string): CgiHead {
  let status = 200;
  let statusMessage: string | undefined;
  const headers = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const match = /^(\d{3})(?:\s+(.*))?$/.exec(value);
      if (!match) throw new Error(`malformed CGI Status ${JSON.stringify(value)}`);
      status = Number(match[1]);
      statusMessage = match[2] || undefined;
      continue;
    }
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  return { status, statusMessage, headers };
}
