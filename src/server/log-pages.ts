// A stored log read page by page, so a reader holds one page at a time whatever the log's
// size (issue 10: a 200 MB log cost ~650 MB per reader when read whole). Chunks are at most
// ~64 KiB (runner/log-writer.ts), so a page stays around 512 KiB; between pages the reader
// yields to the event loop. bench/log-readers.ts measures what 3 downloads and a slow
// follower of a 200 MB log cost: about 130 MB of server RSS, /healthz p99 under 20 ms.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { LogChunk } from '../store/repos/logs.ts';

export const chunksPerPage = 8;

export type ReadLog = (stream: string, afterSeq: number, limit: number) => Promise<LogChunk[]>;

/** Every chunk after `afterSeq`, a page at a time. */
export async function* logPages(read: ReadLog, stream: string, afterSeq: number): AsyncGenerator<LogChunk[]> {
  let after = afterSeq;
  for (;;) {
    const page = await read(stream, after, chunksPerPage);
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.seq;
    if (page.length < chunksPerPage) return;
    // A client that keeps up never makes a write wait, so nothing else would yield: without
    // this, one fast download held the event loop (and /healthz) for hundreds of ms.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Writes `text`, waiting while the client is slower than the store (backpressure). */
export async function writeWithBackpressure(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) return;
  if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
