// Opening a deployment's session on one host: the engine, proxy, health-check path and pull
// reference the engine uses there.
// - local: this machine's container engine and the built-in proxy, pulling from the
//   registry directly.
// - ssh://: one SSH connection (key checked against the pinned one) carrying every command,
//   a tunnel to the registry for pulls, health checks and the proxy's admin socket.
import { createHash } from 'node:crypto';
import type { Store } from '../../store/store.ts';
import { ContainerEngine } from '../engine/container-engine.ts';
import type { EnvironmentConfig } from '../config/deploy-config.ts';
import type { EnvironmentProxy } from '../proxy/environment-proxy.ts';
import { ensureProxyImage } from '../proxy/haproxy/proxy-image.ts';
import type { HostSession, ReleaseRef } from '../strategies/rollout.ts';
import { HaproxyProxy } from '../proxy/haproxy/haproxy-proxy.ts';
import { SshConnection } from './ssh/ssh-connection.ts';

/** Port an environment's proxy listens on when deploy.yml has no `publish` (SSH hosts). */
export const defaultPublish = 80;

export function localSession(engine: ContainerEngine, proxy: EnvironmentProxy, registryHost: string): HostSession {
  return {
    host: 'local',
    engine,
    proxy,
    imageFor: (r: ReleaseRef) => `${registryHost}/${r.image}@${r.digest}`,
    close: () => Promise.resolve(),
  };
}

export interface SshSessionOptions {
  url: string;
  store: Store;
  privateKey: string;
  /** `host:port` of Slipway's registry, as this machine reaches it. */
  registryHost: string;
  project: string;
  environment: EnvironmentConfig;
  /** This installation's id: picks the registry tunnel's port. */
  instance: string;
  /** Labels of the environment's proxy container. */
  labels: Record<string, string>;
  log: (line: string) => void;
  timeoutMs?: number;
}

export async function sshSession(o: SshSessionOptions): Promise<HostSession> {
  const conn = await SshConnection.connect({ url: o.url, privateKey: o.privateKey, store: o.store, log: o.log, timeoutMs: o.timeoutMs });
  try {
    const [host, port] = splitHostPort(o.registryHost);
    const tunnel = await conn.forwardToLocal({ host, port }, tunnelPort(o.instance));
    o.log(`connected; the registry is reachable from the host at 127.0.0.1:${tunnel.remotePort}`);
    const engine = new ContainerEngine({ shell: conn });
    const proxy = await HaproxyProxy.ensure({
      shell: conn,
      engine: engine.withLog(o.log),
      openUnixSocket: (path) => conn.openUnixSocket(path),
      project: o.project,
      environment: o.environment.name,
      publish: o.environment.publish ?? defaultPublish,
      image: await ensureProxyImage(),
      labels: o.labels,
      log: o.log,
    });
    return {
      host: o.url,
      engine,
      proxy,
      connect: (p) => conn.openTcp('127.0.0.1', p),
      imageFor: (r) => `127.0.0.1:${tunnel.remotePort}/${r.image}@${r.digest}`,
      close: async () => {
        await tunnel.close().catch(() => {});
        conn.close();
      },
    };
  } catch (err) {
    conn.close();
    throw err;
  }
}

/**
 * The same port on every deploy of this installation, so the images a host pulled keep the
 * same name (127.0.0.1:<port>/…) and a redeploy finds them by name; below the kernel's
 * ephemeral range, where published container ports land.
 */
function tunnelPort(instance: string): number {
  return 20_000 + (createHash('sha256').update(instance).digest().readUInt32BE(0) % 10_000);
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1))];
}

