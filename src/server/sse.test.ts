// Log streams over SSE against a real HTTP server and an in-memory log: order, resume,
// end, and bounded memory for a client that stops reading (backpressure, no buffering of
// live chunks).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { EventBus } from '../core/events.ts';
import type { LogChunk } from '../store/repos/logs.ts';
import { streamLogs } from './sse.ts';
import { chunksPerPage } from './log-pages.ts';

function memoryLog() {
  const chunks: LogChunk[] = [];
  let finished = false;
  let reads = 0;
  return {
    chunks,
    get reads() {
      return reads;
    },
    finish: () => (finished = true),
    source: {
      async read(_stream: string, after: number, limit: number) {
        reads++;
        return chunks.filter((c) => c.seq > after).slice(0, limit);
      },
      isFinished: async () => finished,
    },
  };
}

async function serve(events: EventBus, source: Parameters<typeof streamLogs>[3]) {
  const server = http.createServer((req, res) => void streamLogs(req, res, events, source, ['job:1']));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** The `seq`s of the log events in an SSE body, and whether it ended. */
function parse(body: string): { seqs: number[]; ended: boolean } {
  const seqs = [...body.matchAll(/^data: (\{"stream".*)$/gm)].map((m) => (JSON.parse(m[1]!) as { seq: number }).seq);
  return { seqs, ended: body.includes('event: end') };
}

test('replays the stored log, follows live chunks, ends with the stream, resumes after Last-Event-ID', async () => {
  const events = new EventBus();
  const log = memoryLog();
  for (let i = 0; i < 100; i++) log.chunks.push({ seq: i, text: `line ${i}\n`, created_at: '' });
  const { server, url } = await serve(events, log.source);
  try {
    const res = await fetch(url);
    const reader = res.body!.getReader();
    let body = '';
    while (parse(body).seqs.length < 100) body += new TextDecoder().decode((await reader.read()).value);
    for (let i = 100; i < 105; i++) {
      log.chunks.push({ seq: i, text: `live ${i}\n`, created_at: '' });
      events.emit('log', 'job:1', i, `live ${i}\n`);
    }
    log.finish();
    events.emit('stream-end', 'job:1');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    assert.deepEqual(parse(body), { seqs: Array.from({ length: 105 }, (_, i) => i), ended: true });

    const resumed = await (await fetch(url, { headers: { 'last-event-id': 'job:1@101' } })).text();
    assert.deepEqual(parse(resumed), { seqs: [102, 103, 104], ended: true });
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('a client that stops reading holds back the store reads and is sent no buffered live chunks; it gets everything once it reads again', async () => {
  const events = new EventBus();
  const log = memoryLog();
  const text = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 1600; i++) log.chunks.push({ seq: i, text, created_at: '' }); // 25.6 MB, 200 pages
  const { server, url } = await serve(events, log.source);
  let response: http.ServerResponse | undefined;
  server.on('request', (_req, res) => (response = res));
  try {
    const req = http.get(url);
    const incoming = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
    incoming.pause();
    await new Promise((r) => setTimeout(r, 300));
    const readsWhilePaused = log.reads;
    // Kernel socket buffers take a few MB; past them, reading stops until the client reads.
    const readBytes = readsWhilePaused * chunksPerPage * text.length;
    assert.ok(readBytes <= 10 * 1024 * 1024, `store read ${readsWhilePaused} pages (${readBytes} bytes) while the client was paused`);
    for (let i = 1600; i < 1800; i++) {
      log.chunks.push({ seq: i, text, created_at: '' });
      events.emit('log', 'job:1', i, text);
    }
    // Live chunks were not queued in the response while it could not drain.
    assert.ok(response!.writableLength < 4 * 1024 * 1024, `response buffered ${response!.writableLength} bytes`);
    log.finish();
    events.emit('stream-end', 'job:1');
    let body = '';
    incoming.setEncoding('utf8').on('data', (d: string) => (body += d));
    incoming.resume();
    await new Promise((r) => incoming.on('end', r));
    assert.deepEqual(parse(body), { seqs: Array.from({ length: 1800 }, (_, i) => i), ended: true });
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
