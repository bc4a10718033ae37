// The `local` host: this machine's container engine and the built-in proxy (in the Slipway
// process), pulling from the registry directly.
import type { ContainerEngine } from '../../engine/container-engine.ts';
import { builtInProxy } from '../../proxy/builtin/builtin-proxy.ts';
import type { EnvironmentProxies } from '../../proxy/builtin/environment-proxies.ts';
import type { DeployTarget } from '../deploy-target.ts';
import { engineSession } from '../engine-session.ts';

interface LocalTargetOptions {
  engine: ContainerEngine;
  proxies: EnvironmentProxies;
  /** `host:port` of Slipway's registry, as this machine reaches it. */
  registryHost: string;
}

export function localTarget(o: LocalTargetOptions): DeployTarget {
  return {
    async open(host, context) {
      const { proxy, port } = await o.proxies.forEnvironment(context.project, context.environment);
      return engineSession({
        host,
        engine: o.engine,
        proxy: builtInProxy(proxy),
        imageFor: (r) => `${o.registryHost}/${r.image}@${r.digest}`,
        endpoint: { address: o.proxies.host, port },
        close: () => Promise.resolve(),
      }, context);
    },
  };
}
