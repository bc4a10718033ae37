// The `local` host: this machine's container engine and the environment's proxy (HAProxy in
// a container, outside the Slipway process: proxy/haproxy/local-proxies.ts), pulling from
// the registry directly.
import type { ContainerEngine } from '../../engine/container-engine.ts';
import type { LocalProxies } from '../../proxy/haproxy/local-proxies.ts';
import type { DeployTarget } from '../deploy-target.ts';
import { engineSession } from '../engine-session.ts';

interface LocalTargetOptions {
  engine: ContainerEngine;
  proxies: LocalProxies;
  /** `host:port` of Slipway's registry, as this machine reaches it. */
  registryHost: string;
}

export function localTarget(o: LocalTargetOptions): DeployTarget {
  return {
    async open(host, context) {
      const proxy = await o.proxies.forEnvironment(context.project, context.environment, context.log);
      return engineSession({
        host,
        engine: o.engine,
        proxy,
        imageFor: (r) => `${o.registryHost}/${r.image}@${r.digest}`,
        endpoint: { address: o.proxies.host, port: proxy.publish },
        close: () => Promise.resolve(),
      }, context);
    },
  };
}
