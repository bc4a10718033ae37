// Server-Sent Events: a log stream replays what is stored, then follows live chunks, then
// closes when the stream ends. Chunks carry their sequence number as the event id, so a
// reconnecting client (Last-Event-ID) resumes without gaps or duplicates.
//
// Memory per follower is bounded: the store is read a page at a time with backpressure, and
// a live chunk is written only while the client keeps up. When it doesn't (or while a page
// is being replayed), live chunks are not buffered: the follower is marked behind and
// catches up from the store, which has every chunk, once the socket drains.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus } from '../core/events.ts';
import { logPages, writeWithBackpressure, type ReadLog } from './log-pages.ts';

interface LogSource {
  read: ReadLog;
  isFinished(stream: string): Promise<boolean>;
}

export async function streamLogs(req: IncomingMessage, res: ServerResponse, events: EventBus, source: LogSource, streams: string[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const last = new Map<string, number>(streams.map((s) => [s, -1]));
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') {
    for (const part of lastEventId.split(',')) {
      const [s, n] = part.split('@');
      if (s && last.has(s) && /^\d+$/.test(n ?? '')) last.set(s, Number(n));
    }
  }
  const format = (stream: string, seq: number, text: string): string | undefined => {
    if (seq <= (last.get(stream) ?? -1)) return undefined;
    last.set(stream, seq);
    const id = [...last].map(([s, n]) => `${s}@${n}`).join(',');
    return `id: ${id}\nevent: log\ndata: ${JSON.stringify({ stream, seq, text })}\n\n`;
  };

  let closed = false;
  /** True while the store is being read: live chunks are left to that read. */
  let catchingUp = true;
  let behind = false;
  const ended = new Set<string>();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  /** Writes everything stored after what was sent, page by page, until nothing new arrived meanwhile. */
  const catchUp = async () => {
    catchingUp = true;
    do {
      behind = false;
      for (const s of streams) {
        for await (const page of logPages(source.read, s, last.get(s)!)) {
          if (closed) return;
          for (const c of page) {
            if (closed) return;
            const event = format(s, c.seq, c.text);
            if (event) await writeWithBackpressure(res, event);
          }
        }
      }
    } while (behind && !closed);
    catchingUp = false;
    // An end event may overtake chunks still being written: the end counts once caught up.
    if (streams.every((s) => ended.has(s))) finish();
  };

  const onLog = (stream: string, seq: number, text: string) => {
    if (!last.has(stream) || closed) return;
    if (catchingUp || res.writableNeedDrain) {
      behind = true;
      if (!catchingUp) void catchUp();
      return;
    }
    const event = format(stream, seq, text);
    if (event) res.write(event); // when the socket's buffer fills, the next chunk sees writableNeedDrain
  };
  const onEnd = (stream: string) => {
    if (!last.has(stream)) return;
    ended.add(stream);
    if (!catchingUp) void catchUp();
  };
  events.on('log', onLog);
  events.on('stream-end', onEnd);
  req.on('close', () => {
    closed = true;
    finish();
  });
  try {
    for (const s of streams) if (await source.isFinished(s)) ended.add(s);
    await catchUp();
    await done;
  } finally {
    events.off('log', onLog);
    events.off('stream-end', onEnd);
  }
  if (!res.destroyed) {
    res.write('event: end\ndata: {}\n\n');
    res.end();
  }
}
