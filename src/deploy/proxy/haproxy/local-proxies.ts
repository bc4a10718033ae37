// The `local` host's environment proxies: the same HAProxy container as on SSH hosts, run
// by this machine's engine, so a deployed app keeps answering while Slipway is stopped,
// restarting or crashed. Scoped to this installation (several may share one engine): the
// container's name carries the instance id and its files live in the data dir. It listens
// on loopback only, as the published containers do.
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { ContainerEngine } from '../../engine/container-engine.ts';
import { labels as engineLabels } from '../../engine/engine.ts';
import type { HostShell } from '../../targets/host-shell.ts';
import { HaproxyProxy } from './haproxy-proxy.ts';

interface LocalProxiesOptions {
  engine: ContainerEngine;
  /** Runs the proxy's commands on this machine (its config file). */
  shell: HostShell;
  dataDir: string;
  instance: string;
  /** The proxy image (proxy-image.ts), built on first use. */
  image: () => Promise<string>;
}

export class LocalProxies {
  /** Address the proxies listen on. */
  readonly host = '127.0.0.1';
  readonly #o: LocalProxiesOptions;

  constructor(options: LocalProxiesOptions) {
    this.#o = options;
  }

  /** The environment's proxy, started (or moved to a newly published port) if needed; no `publish`: the port it has, or a free one. */
  async forEnvironment(project: string, env: { name: string; publish?: number }, log: (line: string) => void): Promise<HaproxyProxy> {
    return HaproxyProxy.ensure({ ...this.#options(project, env.name, log), publish: env.publish, freePort, image: await this.#o.image() });
  }

  /** The environment's proxy if its container runs (none is started). */
  async running(project: string, environment: string, log: (line: string) => void): Promise<HaproxyProxy | undefined> {
    const options = this.#options(project, environment, log);
    const info = await this.#o.engine.inspect(options.name);
    if (info?.state !== 'running') return undefined;
    // Running: ensure() keeps it as it is, so the image name is not needed.
    return HaproxyProxy.ensure({ ...options, image: info.image });
  }

  /** Containers of this installation's proxies, for removal by whoever owns the environments. */
  containerName(project: string, environment: string): string {
    return `slipway-proxy-${this.#o.instance}-${project}-${environment}`;
  }

  #options(project: string, environment: string, log: (line: string) => void) {
    return {
      shell: this.#o.shell,
      engine: this.#o.engine.withLog(log),
      openUnixSocket: (path: string) =>
        new Promise<ReturnType<typeof createConnection>>((resolve, reject) => {
          const socket = createConnection(path);
          socket.once('connect', () => resolve(socket)).once('error', reject);
        }),
      project,
      environment,
      bind: this.host,
      dir: join(this.#o.dataDir, 'proxy', `${project}-${environment}`),
      name: this.containerName(project, environment),
      // Not the environment's labels: the proxy must never count among its app containers.
      labels: { [engineLabels.instance]: this.#o.instance, 'slipway.proxy': `${project}/${environment}` },
      log,
    };
  }
}

/** A port free on loopback now (the proxy binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
