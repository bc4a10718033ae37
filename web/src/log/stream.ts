// Reads a log stream (`/api/runs/:run/logs?follow`, `/api/deployments/:id/logs?follow`) as
// Server-Sent Events over fetch: the server replays what is stored, follows live chunks and
// sends `end` when every stream ended. fetch, unlike EventSource, does not reconnect after
// the end, and hands over many events per read (a 200,000-line log arrives in big reads).
export interface LogEvent {
  stream: string;
  seq: number;
  text: string;
}

export async function followLog(url: string, onChunks: (chunks: LogEvent[]) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, credentials: 'same-origin', signal });
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const cut = buffer.lastIndexOf('\n\n');
    if (cut === -1) continue;
    const events = buffer.slice(0, cut).split('\n\n');
    buffer = buffer.slice(cut + 2);
    const chunks: LogEvent[] = [];
    let ended = false;
    for (const e of events) {
      let type = 'message';
      let data = '';
      for (const line of e.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (type === 'log') chunks.push(JSON.parse(data) as LogEvent);
      else if (type === 'end') ended = true;
    }
    if (chunks.length) onChunks(chunks);
    if (ended) {
      await reader.cancel();
      return;
    }
  }
}
