import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, test } from 'node:test';
import { ProxyServer } from './proxy-server.ts';

const closers: (() => unknown)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** An upstream named `name` that answers /slow only when released, and echoes everything else. */
async function upstream(name: string) {
  let release = (): void => {};
  let slowArrived = (): void => {};
  const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') {
      slowArrived();
      release = () => res.end(`slow from ${name}`);
      return;
    }
    if (req.url === '/reset') return req.socket.destroy();
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  const tunnels = new Set<Duplex>();
  server.on('upgrade', (_req, socket) => {
    tunnels.add(socket);
    socket.on('end', () => socket.end());
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\nx-upstream: ${name}\r\n\r\n`);
    socket.on('data', (d) => socket.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of tunnels) socket.destroy();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  return { target: { host: '127.0.0.1', port }, arrived, release: () => release() };
}

async function startProxy(): Promise<{ proxy: ProxyServer; port: number }> {
  const proxy = new ProxyServer();
  const port = await proxy.listen(0, '127.0.0.1');
  closers.push(() => proxy.close());
  return { proxy, port };
}

function request(port: number, path: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

void test('502 while there is no upstream', async () => {
  const { port } = await startProxy();
  const res = await request(port, '/');
  assert.equal(res.status, 502);
  assert.equal(res.body, 'no upstream\n');
});

void test('forwards method, path, body and headers; adds X-Forwarded-*; drops hop-by-hop', async () => {
  const a = await upstream('a');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  const res = await request(port, '/echo?x=1', {
    method: 'POST',
    headers: { host: 'app.example.com', 'x-custom': 'kept', 'x-forwarded-for': '6.6.6.6', connection: 'keep-alive, x-hop', 'x-hop': 'dropped', 'content-type': 'text/plain' },
    body: 'x'.repeat(100_000),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
  const seen = JSON.parse(res.body);
  assert.equal(seen.name, 'a');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/echo?x=1');
  assert.equal(seen.body.length, 100_000);
  assert.equal(seen.headers.host, 'app.example.com');
  assert.equal(seen.headers['x-custom'], 'kept');
  assert.equal(seen.headers['x-hop'], undefined);
  // A client's own X-Forwarded-For is not trusted by default.
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], 'app.example.com');
});

void test('502 when the upstream fails before sending headers', async () => {
  const a = await upstream('a');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  const res = await request(port, '/reset');
  assert.equal(res.status, 502);
  assert.equal(res.body, 'upstream unavailable\n');
});

void test('switch: in-flight requests finish on the old upstream, new ones go to the new; drain waits for them', async () => {
  const a = await upstream('a');
  const b = await upstream('b');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  assert.equal(JSON.parse((await request(port, '/')).body).name, 'a');

  const slow = request(port, '/slow');
  await a.arrived;
  proxy.switchTo(b.target);
  assert.deepEqual(proxy.upstream, b.target);
  assert.equal(JSON.parse((await request(port, '/')).body).name, 'b');

  let drainedAt = 0;
  const drain = proxy.drain(a.target, 10_000).then((r) => ((drainedAt = Date.now()), r));
  // Another full round trip through the proxy: the drain is still waiting for /slow.
  assert.equal(JSON.parse((await request(port, '/')).body).name, 'b');
  assert.equal(drainedAt, 0);

  const releasedAt = Date.now();
  a.release();
  assert.deepEqual(await slow, { status: 200, headers: (await slow).headers, body: 'slow from a' });
  assert.deepEqual(await drain, { drained: true });
  assert.ok(drainedAt >= releasedAt);
});

void test('drain gives up after its timeout', async () => {
  const a = await upstream('a');
  const b = await upstream('b');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  const slow = request(port, '/slow').catch((err: Error) => err);
  await a.arrived;
  proxy.switchTo(b.target);
  const started = Date.now();
  assert.deepEqual(await proxy.drain(a.target, 150), { drained: false });
  assert.ok(Date.now() - started >= 140);
  // The drain closed the connection to the old upstream, so the client does not hang.
  const outcome = await slow;
  assert.ok(outcome instanceof Error || outcome.status === 502, `got ${JSON.stringify(outcome)}`);
});

void test('draining the current upstream or an unknown one returns at once', async () => {
  const a = await upstream('a');
  const { proxy } = await startProxy();
  proxy.switchTo(a.target);
  assert.deepEqual(await proxy.drain(a.target, 10_000), { drained: true });
  assert.deepEqual(await proxy.drain({ host: '127.0.0.1', port: 1 }, 10_000), { drained: true });
});

void test('upgrade requests are tunnelled to the current upstream', async () => {
  const a = await upstream('a');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  const echoed = await new Promise<{ upstream: string; data: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/ws', headers: { connection: 'upgrade', upgrade: 'echo' }, agent: false });
    req.on('upgrade', (res, socket) => {
      socket.once('data', (d: Buffer) => {
        socket.destroy();
        resolve({ upstream: String(res.headers['x-upstream']), data: d.toString() });
      });
      socket.write('ping');
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(echoed, { upstream: 'a', data: 'ping' });
  // The closed tunnel no longer counts as in flight.
  const b = await upstream('b');
  proxy.switchTo(b.target);
  assert.deepEqual(await proxy.drain(a.target, 10_000), { drained: true });
});

void test('an open tunnel holds a drain until its timeout, which then closes it', async () => {
  const a = await upstream('a');
  const b = await upstream('b');
  const { proxy, port } = await startProxy();
  proxy.switchTo(a.target);
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/ws', headers: { connection: 'upgrade', upgrade: 'echo' }, agent: false });
    req.on('upgrade', (_res, s) => resolve(s));
    req.on('error', reject);
    req.end();
  });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  proxy.switchTo(b.target);
  assert.deepEqual(await proxy.drain(a.target, 100), { drained: false });
  await closed;
});
