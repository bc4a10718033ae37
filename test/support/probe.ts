// A client that keeps asking a deployed service for one URL, each request on a connection of
// its own (so every one is routed afresh), and counts what failed: the crash tests and
// bench/crash.ts run it across a kill and a restart of Slipway.
import http from 'node:http';

export interface ProbeResult {
  requests: number;
  failed: number;
  /** The first few failures, as "HTTP 502" or the socket error. */
  failures: string[];
  /** The answers' bodies in the order they first changed (e.g. the commits that served). */
  served: string[];
  /** Longest stretch with no successful answer, in ms. */
  longestGapMs: number;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: body.trim() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
  });
}

/** Probes `url` back to back until stop(). */
export function startProbe(url: string): { stop(): Promise<ProbeResult>; snapshot(): ProbeResult } {
  const r: ProbeResult = { requests: 0, failed: 0, failures: [], served: [], longestGapMs: 0 };
  let running = true;
  let lastOk = Date.now();
  const fail = (what: string) => {
    r.failed++;
    if (r.failures.length < 10) r.failures.push(`${new Date().toISOString()} ${what}`);
  };
  const loop = (async () => {
    while (running) {
      r.requests++;
      try {
        const res = await get(url);
        if (res.status !== 200) fail(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
        else {
          const now = Date.now();
          r.longestGapMs = Math.max(r.longestGapMs, now - lastOk);
          lastOk = now;
          if (r.served.at(-1) !== res.body) r.served.push(res.body);
        }
      } catch (err) {
        fail((err as Error).message);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return r;
    },
    snapshot: () => ({ ...r, failures: [...r.failures], served: [...r.served] }),
  };
}
