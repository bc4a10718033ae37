// `ssh://` hosts: one SSH connection (key checked against the pinned one) carrying every
// command, a tunnel to the registry for pulls, health checks and the proxy's admin socket.
// Which container engine and which proxy run there is the composition root's choice.
import { createHash } from 'node:crypto';
import type { Store } from '../../../store/store.ts';
import type { ContainerEngine } from '../../engine/container-engine.ts';
import { labels as engineLabels } from '../../engine/engine.ts';
import type { EnvironmentProxy } from '../../proxy/environment-proxy.ts';
import type { HaproxyProxyOptions } from '../../proxy/haproxy/haproxy-proxy.ts';
import type { DeployTarget } from '../deploy-target.ts';
import { engineSession } from '../engine-session.ts';
import type { HostShell } from '../host-shell.ts';
import { SshConnection } from './ssh-connection.ts';

/** Port an environment's proxy listens on when deploy.yml has no `publish`. */
const defaultPublish = 80;

/** What the environment's proxy on an SSH host is started with: all but the image, which the target provides. */
type SshProxyHost = Omit<HaproxyProxyOptions, 'image'>;

interface SshTargetOptions {
  store: Store;
  /** The platform's private key (DATA/ssh/id_ed25519). */
  privateKey: () => Promise<string>;
  /** `host:port` of Slipway's registry, as this machine reaches it. */
  registryHost: string;
  /** This installation's id: picks the registry tunnel's port and labels the proxy. */
  instance: string;
  /** Limit for reaching a host (connect + handshake); default 10 s. */
  timeoutMs?: number;
  createEngine: (shell: HostShell) => ContainerEngine;
  /** The environment's proxy on the host, started if needed (HAProxy). */
  openProxy: (host: SshProxyHost) => Promise<EnvironmentProxy>;
}

export function sshTarget(o: SshTargetOptions): DeployTarget {
  return {
    async open(url, context) {
      const { log, environment } = context;
      const conn = await SshConnection.connect({ url, privateKey: await o.privateKey(), store: o.store, log, timeoutMs: o.timeoutMs });
      try {
        const [host, port] = splitHostPort(o.registryHost);
        const tunnel = await conn.forwardToLocal({ host, port }, tunnelPort(o.instance));
        log(`connected; the registry is reachable from the host at 127.0.0.1:${tunnel.remotePort}`);
        const engine = o.createEngine(conn);
        const publish = environment.publish ?? defaultPublish;
        const proxy = await o.openProxy({
          shell: conn,
          engine: engine.withLog(log),
          openUnixSocket: (path) => conn.openUnixSocket(path),
          project: context.project,
          environment: environment.name,
          publish,
          // Not the environment's labels: the proxy must never count among its app containers.
          labels: { [engineLabels.instance]: o.instance, 'slipway.proxy': `${context.project}/${environment.name}` },
          log,
        });
        return engineSession({
          host: url,
          engine,
          proxy,
          connect: (p) => conn.openTcp('127.0.0.1', p),
          imageFor: (r) => `127.0.0.1:${tunnel.remotePort}/${r.image}@${r.digest}`,
          endpoint: { address: conn.address.host, port: publish },
          close: async () => {
            await tunnel.close().catch((err: unknown) => log(`closing the registry tunnel: ${(err as Error).message}`));
            conn.close();
          },
        }, context);
      } catch (err) {
        conn.close();
        throw err;
      }
    },
  };
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
