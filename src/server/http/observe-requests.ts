// Every HTTP request, once answered, as one record for the metrics and the JSON request
// log: its route template (never the raw path, see route-label.ts), status, time and bytes.
// Bytes are read from the socket's counters (headers included) rather than by listening to
// the body: a 'data' listener would change how the handlers read it.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestRecord {
  method: string;
  path: string;
  route: string;
  area: 'api' | 'git' | 'registry' | 'ui' | 'health';
  status: number;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
  address: string | undefined;
  /** The response ended before it was complete (the client went away). */
  aborted: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function areaOf(pathname: string): RequestRecord['area'] {
  if (pathname === '/healthz') return 'health';
  if (pathname === '/v2' || pathname.startsWith('/v2/')) return 'registry';
  if (pathname.startsWith('/git/')) return 'git';
  if (pathname.startsWith('/api/') || pathname === '/metrics') return 'api';
  return 'ui';
}

export function observeRequests(handler: Handler, label: (method: string, pathname: string) => string, sinks: readonly ((r: RequestRecord) => void)[]): Handler {
  if (sinks.length === 0) return handler;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const socket = req.socket;
    const readBefore = socket.bytesRead;
    const writtenBefore = socket.bytesWritten;
    let done = false;
    const record = (aborted: boolean) => {
      if (done) return;
      done = true;
      const pathname = new URL(req.url ?? '/', 'http://slipway.invalid').pathname;
      const method = req.method ?? 'GET';
      const r: RequestRecord = {
        method,
        path: pathname,
        route: label(method, pathname),
        area: areaOf(pathname),
        status: res.statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        bytesIn: socket.bytesRead - readBefore,
        bytesOut: socket.bytesWritten - writtenBefore,
        address: socket.remoteAddress,
        aborted,
      };
      for (const sink of sinks) sink(r);
    };
    res.once('finish', () => record(false));
    res.once('close', () => record(!res.writableFinished));
    return handler(req, res);
  };
}
