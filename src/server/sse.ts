// Server-Sent Events: a log stream replays what is stored, then follows live chunks, then
// closes when the stream ends. Chunks carry their sequence number as the event id, so a
// reconnecting client (Last-Event-ID) resumes without gaps or duplicates.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus } from '../core/events.ts';
import type { LogChunk } from '../store/repos/logs.ts';

export interface LogSource {
  read(stream: string, afterSeq: number): Promise<LogChunk[]>;
  isFinished(stream: string): Promise<boolean>;
}

export async function streamLogs(req: IncomingMessage, res: ServerResponse, events: EventBus, source: LogSource, streams: string[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const last = new Map<string, number>(streams.map((s) => [s, -1]));
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') {
    for (const part of lastEventId.split(',')) {
      const [s, n] = part.split('@');
      if (s && last.has(s)) last.set(s, Number(n));
    }
  }
  const write = (stream: string, seq: number, text: string) => {
    if (seq <= (last.get(stream) ?? -1)) return;
    last.set(stream, seq);
    const id = [...last].map(([s, n]) => `${s}@${n}`).join(',');
    res.write(`id: ${id}\nevent: log\ndata: ${JSON.stringify({ stream, seq, text })}\n\n`);
  };
  const pending: [string, number, string][] = [];
  let replaying = true;
  const onLog = (stream: string, seq: number, text: string) => {
    if (!last.has(stream)) return;
    if (replaying) pending.push([stream, seq, text]);
    else write(stream, seq, text);
  };
  const ended = new Set<string>();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onEnd = (stream: string) => {
    if (!last.has(stream)) return;
    ended.add(stream);
    if (!replaying) void checkDone();
  };
  const checkDone = async () => {
    // Catch up from the store first: an end event may overtake chunks still being written.
    for (const s of streams) for (const c of await source.read(s, last.get(s)!)) write(s, c.seq, c.text);
    if (streams.every((s) => ended.has(s))) finish();
  };
  events.on('log', onLog);
  events.on('stream-end', onEnd);
  req.on('close', finish);
  try {
    for (const s of streams) {
      for (const c of await source.read(s, last.get(s)!)) write(s, c.seq, c.text);
      if (await source.isFinished(s)) ended.add(s);
    }
    replaying = false;
    for (const [s, n, t] of pending.splice(0)) write(s, n, t);
    await checkDone();
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
