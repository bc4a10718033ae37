// What every EnvironmentProxy (built-in, HAProxy) must do, run by each implementation's
// test: a switch sends new requests to the new upstream and tells the previous one, requests
// in flight finish where they started, and a drain waits for them up to its timeout.
// Upstreams are HTTP servers on this machine; `upstreamPort` says how the proxy reaches one.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import type { EnvironmentProxy } from './environment-proxy.ts';

interface ProxyFixture {
  proxy: EnvironmentProxy;
  /** Where clients reach the proxy: `http://host:port`. */
  url: string;
  /** The port the proxy reaches this machine's loopback `port` at (itself, or a tunnel to it). */
  upstreamPort(port: number): Promise<number>;
  close(): Promise<void>;
}

interface Upstream {
  /** As the proxy reaches it. */
  port: number;
  /** Resolves when a /slow request has arrived; /slow answers only after release(). */
  arrived: Promise<void>;
  /** Resolves when the proxy closed a /slow request before it was answered. */
  cut: Promise<void>;
  release(): void;
}

/** `promise`, or a failure naming `what` after `ms` (so a broken proxy fails the test rather than hanging it). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return Promise.race([promise, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`${what}: not within ${ms}ms`))))]);
}

export function runEnvironmentProxyContract(options: { name: string; create: () => Promise<ProxyFixture> }): void {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setUp(): Promise<ProxyFixture> {
    const fixture = await options.create();
    closers.push(() => fixture.close());
    return fixture;
  }

  /** An upstream answering its name, except /slow (held until released; at once after that). */
  async function upstream(fixture: ProxyFixture, name: string): Promise<Upstream> {
    let released = false;
    const held = new Set<http.ServerResponse>();
    let arrived = (): void => {};
    let cut = (): void => {};
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const cutting = new Promise<void>((resolve) => (cut = resolve));
    const server = http.createServer((req, res) => {
      if (req.url !== '/slow') return res.end(name);
      arrived();
      if (released) return res.end(`slow ${name}`);
      held.add(res);
      res.on('close', () => !res.writableEnded && cut());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const release = (): void => {
      released = true;
      for (const res of held) res.end(`slow ${name}`);
    };
    return { port: await fixture.upstreamPort((server.address() as AddressInfo).port), arrived: arrival, cut: cutting, release };
  }

  /** A GET on a connection of its own, so each request is routed afresh. */
  function get(fixture: ProxyFixture, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${fixture.url}${path}`, { agent: false, headers: { connection: 'close' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }

  void test(`${options.name}: a switch sends new requests to the new upstream and resolves with the previous one`, async () => {
    const f = await setUp();
    const a = await upstream(f, 'a');
    const b = await upstream(f, 'b');
    assert.equal(await f.proxy.switchTo(a.port), undefined);
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'a' });
    assert.equal(await f.proxy.switchTo(b.port), a.port);
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
    assert.equal(await f.proxy.switchTo(b.port), b.port, 'switching to the serving upstream again changes nothing');
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
  });

  void test(`${options.name}: a request in flight finishes on the old upstream; the drain waits for it`, async () => {
    const f = await setUp();
    const a = await upstream(f, 'a');
    const b = await upstream(f, 'b');
    await f.proxy.switchTo(a.port);
    const slow = get(f, '/slow');
    await a.arrived;
    await f.proxy.switchTo(b.port);
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
    let drained = false;
    const drain = f.proxy.drain(a.port, 30_000).then((r) => ((drained = true), r));
    // A full round trip through the proxy while the old request is still open.
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
    assert.equal(drained, false);
    a.release();
    assert.deepEqual(await slow, { status: 200, body: 'slow a' });
    assert.deepEqual(await drain, { drained: true });
  });

  void test(`${options.name}: a drain gives up after its timeout and cuts what remains`, async () => {
    const f = await setUp();
    const a = await upstream(f, 'a');
    const b = await upstream(f, 'b');
    await f.proxy.switchTo(a.port);
    const slow = get(f, '/slow').catch((err: Error) => err);
    await a.arrived;
    await f.proxy.switchTo(b.port);
    const started = Date.now();
    assert.deepEqual(await f.proxy.drain(a.port, 200), { drained: false });
    assert.ok(Date.now() - started >= 190);
    // The old upstream no longer holds the request, so it can be stopped.
    await within(5000, 'the request to the old upstream is cut', a.cut);
    // The client does not hang: its request is cut (an error or a 5xx), or replayed on the
    // new upstream (HAProxy redispatches a GET whose server session it shut down).
    b.release();
    const outcome = await within(5000, 'the client\'s request ends', slow);
    assert.ok(outcome instanceof Error || outcome.status !== 200 || outcome.body === 'slow b', `got ${JSON.stringify(outcome)}`);
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
  });

  void test(`${options.name}: draining an upstream with nothing in flight returns at once`, async () => {
    const f = await setUp();
    const a = await upstream(f, 'a');
    const b = await upstream(f, 'b');
    await f.proxy.switchTo(a.port);
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'a' });
    await f.proxy.switchTo(b.port);
    assert.deepEqual(await f.proxy.drain(a.port, 30_000), { drained: true });
    assert.deepEqual(await get(f, '/'), { status: 200, body: 'b' });
  });
}
