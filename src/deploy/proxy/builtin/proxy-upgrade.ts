// WebSocket (and any HTTP/1.1 Upgrade) passthrough: once the upstream agrees to switch
// protocols, the proxy splices the two sockets and counts the tunnel as in flight until
// either side closes, so a drain waits for it (up to the drain timeout).
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { upstreamRequestHeaders } from './proxy-headers.ts';

interface TunnelTarget {
  host: string;
  port: number;
  /** Called once with the tunnel's client socket when it opens, and `closed` when it ends. */
  track: (socket: Duplex, event: 'opened' | 'closed') => void;
}

export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: TunnelTarget | undefined, trustForwarded: boolean): void {
  socket.on('error', () => socket.destroy());
  if (!target) {
    rawError(socket, 502, 'no upstream');
    return;
  }
  const headers = upstreamRequestHeaders(req, trustForwarded);
  headers.connection = 'upgrade';
  headers.upgrade = req.headers.upgrade;
  // A dedicated connection: an upgraded socket never goes back to a keep-alive pool.
  const upstreamReq = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent: false });
  upstreamReq.on('upgrade', (res, upstream, upstreamHead) => {
    socket.write(statusLine(res) + rawHeaderLines(res.rawHeaders) + '\r\n');
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstream.write(head);
    target.track(socket, 'opened');
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      socket.destroy();
      upstream.destroy();
      target.track(socket, 'closed');
    };
    for (const s of [socket, upstream]) s.on('close', close).on('error', close);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  // The upstream declined to switch: relay its answer and close.
  upstreamReq.on('response', (res) => {
    // The body is relayed decoded and delimited by closing the connection.
    const kept: string[] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      if (!/^(connection|transfer-encoding|keep-alive)$/i.test(res.rawHeaders[i]!)) kept.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    }
    socket.write(statusLine(res) + rawHeaderLines(kept) + 'connection: close\r\n\r\n');
    res.pipe(socket);
  });
  upstreamReq.on('error', () => rawError(socket, 502, 'upstream unavailable'));
  upstreamReq.end();
}

function statusLine(res: IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\n`;
}

function rawHeaderLines(raw: string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}

function rawError(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) return;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\ncontent-length: ${message.length + 1}\r\nconnection: close\r\n\r\n${message}\n`);
}
