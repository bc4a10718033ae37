import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { waitHealthy } from './healthcheck.ts';

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/up`;
}

const fast = { intervalMs: 20, timeoutMs: 200, deadlineMs: 1500 };

void test('healthy once the endpoint answers 2xx, counting attempts', async () => {
  let calls = 0;
  const url = await serve((_req, res) => {
    calls++;
    res.writeHead(calls < 3 ? 503 : 200).end('ok');
  });
  assert.deepEqual(await waitHealthy(url, fast), { ok: true, attempts: 3 });
});

void test('a redirect counts as healthy and is not followed', async () => {
  const url = await serve((_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/nowhere' }).end());
  assert.deepEqual(await waitHealthy(url, fast), { ok: true, attempts: 1 });
});

void test('an endpoint that keeps failing: the reason names the last status and keeps its body', async () => {
  const url = await serve((_req, res) => res.writeHead(500).end('database unreachable'));
  const result = await waitHealthy(url, { intervalMs: 50, timeoutMs: 200, deadlineMs: 300 });
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.match(result.reason, /not healthy after \d+ attempts in 300ms; last: HTTP 500$/);
  assert.equal(result.lastOutput, 'database unreachable');
});

void test('nothing listening: the reason names the connection error', async () => {
  const url = await serve(() => {});
  servers.at(-1)!.close();
  const result = await waitHealthy(url, { intervalMs: 20, timeoutMs: 100, deadlineMs: 100 });
  assert.ok(!result.ok);
  assert.match(result.reason, /last: ECONNREFUSED/);
});

void test('each attempt has its own timeout; a hanging endpoint fails by the deadline', async () => {
  const url = await serve(() => {}); // never answers
  const started = Date.now();
  const result = await waitHealthy(url, { intervalMs: 50, timeoutMs: 100, deadlineMs: 400 });
  const elapsed = Date.now() - started;
  assert.ok(!result.ok);
  assert.match(result.reason, /last: timed out after \d+ms$/);
  assert.match(result.reason, /after [34] attempts/);
  assert.ok(elapsed >= 350 && elapsed < 1000, `took ${elapsed}ms`);
});

void test('aborting stops the wait', async () => {
  const url = await serve((_req, res) => res.writeHead(503).end());
  const controller = new AbortController();
  const waiting = waitHealthy(url, { intervalMs: 20, timeoutMs: 100, deadlineMs: 10_000 }, controller.signal);
  controller.abort(new Error('deploy cancelled'));
  await assert.rejects(waiting, /deploy cancelled/);
});
