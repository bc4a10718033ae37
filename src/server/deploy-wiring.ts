// The composition root's deploy choices: which kinds of host Slipway deploys to (`local`:
// this machine's podman; `ssh`: podman over SSH; HAProxy in a container in front of both),
// with which key, and which strategies deploy.yml may name.
import type { Store } from '../store/store.ts';
import { ContainerEngine } from '../deploy/engine/container-engine.ts';
import { HaproxyProxy } from '../deploy/proxy/haproxy/haproxy-proxy.ts';
import { LocalProxies } from '../deploy/proxy/haproxy/local-proxies.ts';
import { ensureProxyImage } from '../deploy/proxy/haproxy/proxy-image.ts';
import { blueGreen } from '../deploy/strategies/blue-green.ts';
import { recreate } from '../deploy/strategies/recreate.ts';
import { rolling } from '../deploy/strategies/rolling.ts';
import type { Strategies } from '../deploy/strategies/strategy.ts';
import type { DeployTargets } from '../deploy/targets/deploy-target.ts';
import { LocalShell } from '../deploy/targets/local/local-shell.ts';
import { localTarget } from '../deploy/targets/local/local-target.ts';
import { ensurePlatformKey, type PlatformKey } from '../deploy/targets/ssh/platform-key.ts';
import { sshTarget } from '../deploy/targets/ssh/ssh-target.ts';

interface DeployTargetsOptions {
  store: Store;
  local: { engine: ContainerEngine; proxies: LocalProxies };
  /** `host:port` of the built-in registry, as this machine reaches it. */
  registryHost: string;
  instance: string;
  /** Where the platform's SSH key lives (DATA/ssh/id_ed25519). */
  dataDir: string;
}

export function deployTargets(o: DeployTargetsOptions): DeployTargets {
  // Read from DATA/ssh once, on the first SSH deployment.
  let key: Promise<PlatformKey> | undefined;
  return new Map([
    ['local', localTarget({ engine: o.local.engine, proxies: o.local.proxies, registryHost: o.registryHost })],
    ['ssh', sshTarget({
      store: o.store,
      privateKey: async () => (await (key ??= ensurePlatformKey(o.dataDir))).privateKey,
      registryHost: o.registryHost,
      instance: o.instance,
      createEngine: (shell) => new ContainerEngine({ shell }),
      openProxy: async (host) => HaproxyProxy.ensure({ ...host, image: await ensureProxyImage() }),
    })],
  ]);
}

/** The `local` host's environment proxies: HAProxy containers of this installation, on loopback. */
export function localProxies(o: { engine: ContainerEngine; dataDir: string; instance: string }): LocalProxies {
  return new LocalProxies({ ...o, shell: new LocalShell(), image: () => ensureProxyImage() });
}

export function deployStrategies(): Strategies {
  return new Map([
    ['blue-green', blueGreen],
    ['rolling', rolling],
    ['recreate', recreate],
  ]);
}
