// Polls a new container's health endpoint until it answers 2xx/3xx or the deadline passes.
// Redirects count as healthy and are not followed: many apps redirect `/` to a login page,
// which still proves the app serves requests (the same rule as kamal-proxy's health check).
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import type { HealthcheckConfig } from '../config/deploy-config.ts';

/** Opens the connection a probe uses (an SSH tunnel to a remote host's loopback). */
type Connector = () => Promise<Duplex>;

type HealthResult = { ok: true; attempts: number } | { ok: false; reason: string; lastOutput: string };

const maxOutput = 2048;

export async function waitHealthy(url: string, hc: Omit<HealthcheckConfig, 'path'>, signal?: AbortSignal, connect?: Connector): Promise<HealthResult> {
  const deadline = Date.now() + hc.deadlineMs;
  let attempts = 0;
  let last = { reason: 'no attempt made', output: '' };
  for (;;) {
    signal?.throwIfAborted();
    attempts++;
    const remaining = Math.max(1, deadline - Date.now());
    const timeoutMs = Math.min(hc.timeoutMs, remaining);
    const started = Date.now();
    const attempt = await probe(url, timeoutMs, signal, connect);
    if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 400) return { ok: true, attempts };
    signal?.throwIfAborted();
    last = { reason: attempt.status !== undefined ? `HTTP ${attempt.status}` : attempt.error ?? 'unknown error', output: attempt.output };
    // The next attempt starts one interval after this one started, and only before the deadline.
    const wait = Math.max(0, started + hc.intervalMs - Date.now());
    if (Date.now() + wait >= deadline) break;
    await sleep(wait, undefined, { signal });
  }
  return {
    ok: false,
    reason: `${url} not healthy after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${hc.deadlineMs}ms; last: ${last.reason}`,
    lastOutput: last.output,
  };
}

interface Attempt {
  status?: number;
  error?: string;
  output: string;
}

/** One GET with its own timeout; never rejects except when `signal` aborts. */
function probe(url: string, timeoutMs: number, signal?: AbortSignal, connect?: Connector): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    // A fresh connection per attempt (agent: false, or our own connector), so a check never
    // reuses a connection to a previous container.
    const via: http.RequestOptions = connect
      ? { createConnection: (_options, done) => void connect().then((socket) => done(null, socket), (err: Error) => done(err, undefined as never)) }
      : { agent: false };
    const req = client.get(url, { ...via, signal: combined, headers: { 'user-agent': 'slipway-healthcheck' } }, (res) => {
      let output = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (output.length < maxOutput) output += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, output: output.slice(0, maxOutput) }));
      // A body cut short (timeout, reset) still tells us the status the app chose.
      res.on('close', () => resolve({ status: res.statusCode, output: output.slice(0, maxOutput) }));
      res.on('error', () => {});
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = timeout.aborted ? `timed out after ${timeoutMs}ms` : err.code ? `${err.code} (${err.message})` : err.message;
      resolve({ error: reason, output: '' });
    });
  });
}
