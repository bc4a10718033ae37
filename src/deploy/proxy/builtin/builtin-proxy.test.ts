import { runEnvironmentProxyContract } from '../environment-proxy.contract.ts';
import { builtInProxy } from './builtin-proxy.ts';
import { ProxyServer } from './proxy-server.ts';

runEnvironmentProxyContract({
  name: 'built-in',
  async create() {
    const server = new ProxyServer();
    const port = await server.listen(0, '127.0.0.1');
    return { proxy: builtInProxy(server), url: `http://127.0.0.1:${port}`, upstreamPort: (p) => Promise.resolve(p), close: () => server.close() };
  },
});
