// Polls a new container's health endpoint until it answers 2xx/3xx or the deadline passes.
// Redirects count as healthy and are not followed: many apps redirect `/` to a login page,
// which still proves the app serves requests (the same rule as kamal-proxy's health check).
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthcheckConfig } from './deploy-config.ts';

export type HealthResult = { ok: true; attempts: number } | { ok: false; reason: string; lastOutput: string };

const maxOutput = 2048;

export async function waitHealthy(url: string, hc: Omit<HealthcheckConfig, 'path'>, signal?: AbortSignal): Promise<HealthResult> {
  const deadline = Date.now() + hc.deadlineMs;
  let attempts = 0;
  let last = { reason: 'no attempt made', output: '' };
  for (;;) {
    signal?.throwIfAborted();
    attempts++;
    const remaining = Math.max(1, deadline - Date.now());
    const timeoutMs = Math.min(hc.timeoutMs, remaining);
    const started = Date.now();
    const attempt = await probe(url, timeoutMs, signal);
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
function probe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    // agent: false, so a check never reuses a connection to a previous container.
    const req = client.get(url, { agent: false, signal: combined, headers: { 'user-agent': 'slipway-healthcheck' } }, (res) => {
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
