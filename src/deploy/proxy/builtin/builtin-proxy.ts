// The built-in proxy as an EnvironmentProxy: its upstreams are containers published on
// this machine's loopback.
import type { EnvironmentProxy } from '../environment-proxy.ts';
import type { ProxyServer } from './proxy-server.ts';

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
