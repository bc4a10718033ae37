// An in-process reverse proxy in front of an environment's containers: one ProxyServer per
// port. It once fronted the `local` host; it lives in the Slipway process, so the app
// stopped answering whenever Slipway did, and `local` now gets HAProxy like SSH hosts
// (proxy/haproxy/local-proxies.ts). It stays as the second, in-memory EnvironmentProxy:
// the deploy engine's unit tests switch through it without a proxy container, and it keeps
// the contract honest (a switch is a pointer change, nothing to race).
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { upstreamRequestHeaders, withoutHopByHop } from './proxy-headers.ts';
import { proxyUpgrade } from './proxy-upgrade.ts';

export interface Upstream {
  host: string;
  port: number;
}

interface UpstreamState {
  upstream: Upstream;
  /** Keep-alive connections to this upstream only, so a drain can close exactly them. */
  agent: http.Agent;
  inFlight: number;
  tunnels: Set<Duplex>;
  idle: Set<() => void>;
}

interface ProxyOptions {
  /** Keep incoming X-Forwarded-* (the proxy sits behind a trusted load balancer). */
  trustForwardedHeaders?: boolean;
}

// Requests that carry no body and may be repeated: retried once when a pooled connection
// turns out to have been closed by the upstream (RFC 9110 §9.2.2 idempotent methods).
const retryable = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ProxyServer {
  readonly #server: http.Server;
  readonly #trustForwarded: boolean;
  readonly #states = new Map<string, UpstreamState>();
  #current: UpstreamState | undefined;

  constructor(options: ProxyOptions = {}) {
    this.#trustForwarded = options.trustForwardedHeaders ?? false;
    this.#server = http.createServer((req, res) => this.#forward(req, res));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const state = this.#current;
      const target = state && { ...state.upstream, track: (s: Duplex, event: 'opened' | 'closed') => this.#track(state, s, event) };
      proxyUpgrade(req, socket, head, target, this.#trustForwarded);
    });
  }

  /** Where new requests go, if anywhere yet. */
  get upstream(): Upstream | undefined {
    return this.#current?.upstream;
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** New requests go to `upstream` from now on; requests already in flight finish where they are. */
  switchTo(upstream: Upstream): void {
    this.#current = this.#state(upstream);
  }

  /**
   * Resolves once no request or tunnel to `previous` is in flight, or after `timeoutMs`;
   * then closes the connections to it. Draining the current upstream does nothing.
   */
  async drain(previous: Upstream, timeoutMs: number): Promise<{ drained: boolean }> {
    const state = this.#states.get(keyOf(previous));
    if (!state || state === this.#current) return { drained: true };
    const drained = await new Promise<boolean>((resolve) => {
      if (state.inFlight === 0 && state.tunnels.size === 0) return resolve(true);
      const done = (): void => {
        clearTimeout(timer);
        state.idle.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        state.idle.delete(done);
        resolve(false);
      }, timeoutMs);
      state.idle.add(done);
    });
    // Switched back to it while draining: keep it.
    if (state === this.#current) return { drained };
    for (const socket of state.tunnels) socket.destroy();
    state.agent.destroy();
    this.#states.delete(keyOf(previous));
    return { drained };
  }

  /** Stops listening and closes every connection, client and upstream. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const state of this.#states.values()) {
      for (const socket of state.tunnels) socket.destroy();
      state.agent.destroy();
    }
    this.#states.clear();
    this.#current = undefined;
    await closed;
  }

  #state(upstream: Upstream): UpstreamState {
    const key = keyOf(upstream);
    let state = this.#states.get(key);
    if (!state) {
      state = { upstream: { ...upstream }, agent: new http.Agent({ keepAlive: true }), inFlight: 0, tunnels: new Set(), idle: new Set() };
      this.#states.set(key, state);
    }
    return state;
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const state = this.#current;
    if (!state) return sendError(res, 502, 'no upstream');
    state.inFlight++;
    res.once('close', () => {
      state.inFlight--;
      this.#notifyIfIdle(state);
    });
    const headers = upstreamRequestHeaders(req, this.#trustForwarded);
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const send = (retry: boolean): void => {
      const upstreamReq = http.request({ ...state.upstream, method: req.method, path: req.url, headers, agent: state.agent });
      upstreamReq.on('response', (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, withoutHopByHop(upstreamRes.headers));
        pipeline(upstreamRes, res, () => {});
      });
      upstreamReq.on('error', (err: NodeJS.ErrnoException) => {
        if (retry && upstreamReq.reusedSocket && err.code === 'ECONNRESET' && !res.headersSent) return send(false);
        if (!res.headersSent) sendError(res, 502, 'upstream unavailable');
        else res.destroy();
      });
      // The client went away: stop working for it upstream.
      res.once('close', () => {
        if (!res.writableFinished) upstreamReq.destroy();
      });
      if (hasBody) pipeline(req, upstreamReq, () => {});
      else upstreamReq.end();
    };
    send(!hasBody && retryable.has(req.method ?? ''));
  }

  #track(state: UpstreamState, socket: Duplex, event: 'opened' | 'closed'): void {
    if (event === 'opened') state.tunnels.add(socket);
    else state.tunnels.delete(socket);
    this.#notifyIfIdle(state);
  }

  #notifyIfIdle(state: UpstreamState): void {
    if (state.inFlight > 0 || state.tunnels.size > 0) return;
    for (const done of [...state.idle]) done();
  }
}

function keyOf(upstream: Upstream): string {
  return `${upstream.host}:${upstream.port}`;
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(message) + 1 });
  res.end(`${message}\n`);
}
