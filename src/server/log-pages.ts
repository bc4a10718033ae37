// A stored log read page by page, so a reader holds one page at a time whatever the log's
// size (issue 10: a 200 MB log cost ~650 MB per reader when read whole). Chunks are at most
// ~64 KiB (runner/log-writer.ts), so a page stays around 512 KiB (bench/log-readers.ts: smaller pages cost fewer
// collector pauses than 2 MiB ones, p99 of /healthz 81 ms against 110 ms under 4 readers).
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
  }
}

/** Writes `text`, waiting while the client is slower than the store (backpressure). */
export async function writeWithBackpressure(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) return;
  if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
