// What the deploy engine needs from the proxy in front of an environment on one host: where
// new requests go, a switch, and a drain. Two implementations: the built-in proxy for the
// `local` host (proxy.ts, in the Slipway process) and HAProxy on SSH hosts
// (targets/ssh/haproxy-proxy.ts).
import type { ProxyServer } from './builtin/proxy-server.ts';

export interface EnvironmentProxy {
  /** From now on, new requests go to the container published on this port; resolves with the port they went to before, if any. */
  switchTo(port: number): Promise<number | undefined>;
  /** Waits until nothing is in flight to `port` (or `timeoutMs`), then cuts what remains. */
  drain(port: number, timeoutMs: number): Promise<{ drained: boolean }>;
}

export function builtInProxy(proxy: ProxyServer): EnvironmentProxy {
  return {
    switchTo(port) {
      const previous = proxy.upstream?.port;
      proxy.switchTo({ host: '127.0.0.1', port });
      return Promise.resolve(previous);
    },
    drain: (port, timeoutMs) => proxy.drain({ host: '127.0.0.1', port }, timeoutMs),
  };
}
