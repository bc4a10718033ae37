// Which refs a push asks to change, read from a copy of the receive-pack request body.
// gitprotocol-pack(5) §Reference Update Request and Packfile Transfer:
//   update-requests = *shallow ( command-list | push-cert )
//   command-list    = PKT-LINE(command NUL capability-list) *PKT-LINE(command) flush-pkt
//   command         = old-id SP new-id SP name
// A push-cert wraps the same command lines between its header and signature, so every data
// line before the first flush that looks like a command is one.
import { createGunzip, type Gunzip } from 'node:zlib';
import { PktLineReader } from './pkt-line.ts';

export interface PushCommand {
  before: string;
  after: string;
  ref: string;
}

const commandPattern = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/[^\0\n ]+)$/;

/** One pkt-line payload → a command, or undefined for shallow lines, push-cert lines and the like. */
function parseCommandLine(payload: Buffer): PushCommand | undefined {
  let text = payload.toString('utf8');
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  const match = commandPattern.exec(text);
  if (!match) return undefined;
  return { before: match[1]!, after: match[2]!, ref: match[3]! };
}

/**
 * Tee target for a receive-pack request body. Feed it every chunk of the body as sent (gzip'd
 * when the request said so); it parses up to the command list's flush-pkt and then ignores the
 * rest, so the pack itself is never held or inflated. `commands` settles once the command list
 * was read or the body ended; a body that is not pkt-lines yields [].
 */
export class PushCommandTee {
  readonly commands: Promise<PushCommand[]>;
  #reader = new PktLineReader();
  #found: PushCommand[] = [];
  #done = false;
  #gunzip: Gunzip | undefined;
  #settle!: (commands: PushCommand[]) => void;

  constructor(contentEncoding?: string) {
    this.commands = new Promise((resolve) => (this.#settle = resolve));
    const encoding = contentEncoding?.trim().toLowerCase();
    if (encoding === 'gzip' || encoding === 'x-gzip') {
      const gunzip = createGunzip();
      gunzip.on('data', (chunk: Buffer) => this.#parse(chunk));
      // A truncated or corrupt stream: http-backend rejects it too; report what was read.
      gunzip.on('error', () => this.#finish());
      gunzip.on('end', () => this.#finish());
      gunzip.on('close', () => this.#finish());
      this.#gunzip = gunzip;
    }
  }

  write(chunk: Buffer): void {
    if (this.#done) return;
    if (this.#gunzip) this.#gunzip.write(chunk);
    else this.#parse(chunk);
  }

  /** The body ended (or the request was aborted). */
  end(): void {
    if (this.#done) return;
    if (this.#gunzip) this.#gunzip.end();
    else this.#finish();
  }

  #parse(chunk: Buffer): void {
    if (this.#done) return;
    try {
      this.#reader.push(chunk);
      for (let line = this.#reader.next(); line; line = this.#reader.next()) {
        if (line.kind !== 'data') return this.#finish();
        const command = parseCommandLine(line.payload);
        if (command) this.#found.push(command);
      }
    } catch {
      this.#found = [];
      this.#finish();
    }
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#gunzip?.destroy();
    this.#settle(this.#found);
  }
}
