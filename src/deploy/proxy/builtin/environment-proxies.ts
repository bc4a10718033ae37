// One built-in proxy per environment deployed on this machine, listening on the
// environment's published port (an ephemeral one when deploy.yml sets none). Kept for the
// life of the process, so a redeploy switches the same proxy and clients keep their URL.
import type { EnvironmentConfig } from '../../config/deploy-config.ts';
import { ProxyServer } from './proxy-server.ts';

interface ListeningProxy {
  proxy: ProxyServer;
  port: number;
}

export class EnvironmentProxies {
  /** Address the proxies listen on. */
  readonly host: string;
  readonly #proxies = new Map<string, ListeningProxy>();

  constructor(host: string) {
    this.host = host;
  }

  /** The environment's proxy, started (or moved to a newly published port) if needed. */
  async forEnvironment(project: string, env: Pick<EnvironmentConfig, 'name' | 'publish'>): Promise<ListeningProxy> {
    const key = `${project}/${env.name}`;
    let entry = this.#proxies.get(key);
    if (entry && env.publish !== undefined && entry.port !== env.publish) {
      await entry.proxy.close();
      entry = undefined;
    }
    if (!entry) {
      const proxy = new ProxyServer();
      entry = { proxy, port: await proxy.listen(env.publish ?? 0, this.host) };
      this.#proxies.set(key, entry);
    }
    return entry;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#proxies.values()].map((p) => p.proxy.close()));
    this.#proxies.clear();
  }
}
