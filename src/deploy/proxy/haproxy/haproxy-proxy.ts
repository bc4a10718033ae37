// An environment's proxy on a host (an SSH host, or this machine for `local`): HAProxy in a
// container (host network, restarted by the engine if it dies), one per environment,
// listening on the environment's published port. It runs outside the Slipway process, so
// the app keeps answering while Slipway is stopped, restarting or crashed. Slipway drives it
// through its admin socket (over the SSH connection on SSH hosts), so the switch needs no
// reload and nothing on the host listens for Slipway. The config file is rewritten after
// each switch so a restarted proxy serves the current release at once.
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { SlipwayError } from '../../../core/errors.ts';
import type { HostShell } from '../../targets/host-shell.ts';
import type { ContainerEngine } from '../../engine/container-engine.ts';
import type { EnvironmentProxy } from '../environment-proxy.ts';
import { haproxyConfig, parseShowStat, type Slot, type SlotState } from './haproxy-config.ts';
import { copyImageTo } from './proxy-image.ts';

export interface HaproxyProxyOptions {
  shell: HostShell;
  engine: ContainerEngine;
  openUnixSocket: (path: string) => Promise<Duplex>;
  project: string;
  environment: string;
  /** Port published on the host; none: the running proxy's port, else `freePort()`'s. */
  publish?: number;
  /** Picks a port when `publish` is unset and no proxy runs yet. */
  freePort?: () => Promise<number>;
  /** Address it listens on; default every address of the host. */
  bind?: string;
  /** Where its config and admin socket live on the host; default $SLIPWAY_HOME/proxy/<project>-<environment>. */
  dir?: string;
  /** Its container's name; default slipway-proxy-<project>-<environment> (one installation per SSH host). */
  name?: string;
  /** The proxy image on this machine (proxy-image.ts). */
  image: string;
  labels: Record<string, string>;
  log: (line: string) => void;
}

const configDir = '/etc/slipway-proxy';
const publishLabel = 'slipway.publish';

export class HaproxyProxy implements EnvironmentProxy {
  readonly #o: HaproxyProxyOptions;
  readonly #dir: string;
  /** The port it listens on. */
  readonly publish: number;

  private constructor(options: HaproxyProxyOptions, dir: string, publish: number) {
    this.#o = options;
    this.#dir = dir;
    this.publish = publish;
  }

  /** The environment's proxy on the host, started (and its image copied there) if needed. */
  static async ensure(options: HaproxyProxyOptions): Promise<HaproxyProxy> {
    const { engine, log } = options;
    const name = options.name ?? `slipway-proxy-${options.project}-${options.environment}`;
    const existing = await engine.inspect(name);
    const running = existing?.state === 'running' ? Number(existing.labels[publishLabel]) : undefined;
    const publish = options.publish ?? running ?? (await options.freePort?.());
    if (publish === undefined) throw new TypeError('HaproxyProxy.ensure: no publish port and no freePort');
    const proxy = new HaproxyProxy({ ...options, name }, options.dir ?? `${await slipwayHome(options.shell)}/proxy/${options.project}-${options.environment}`, publish);
    if (running === publish) return proxy;
    if (existing) {
      log(`proxy ${name} is ${running !== undefined ? `on port ${running}, not ${publish}` : existing.state}: replacing it`);
      await engine.remove(name);
    }
    await copyImageTo(options.shell, options.image, log);
    await proxy.#writeConfig(undefined);
    await engine.start({
      name,
      image: options.image,
      labels: { ...options.labels, [publishLabel]: String(publish) },
      network: 'host',
      restart: 'always',
      volumes: [`${proxy.#dir}:${configDir}`],
      command: ['/usr/sbin/haproxy', '-db', '-f', `${configDir}/haproxy.cfg`],
    });
    await proxy.#waitReady();
    log(`proxy ${name} listens on ${options.bind ?? ''}:${publish}`);
    return proxy;
  }

  get containerName(): string {
    return this.#o.name!;
  }

  /** The port new requests go to now, if any. */
  async serving(): Promise<number | undefined> {
    return active(await this.#slots())?.port;
  }

  /**
   * Makes `port` the only upstream, as after a finished switch (a restart's reconciliation):
   * whatever else is still routed drains for up to `drainTimeoutMs`, then is cut.
   */
  async serveOnly(port: number, drainTimeoutMs: number): Promise<void> {
    await this.switchTo(port);
    const others = (await this.#slots()).filter((s) => s.port !== port && !/^MAINT/i.test(s.status));
    for (const other of others) await this.drain(other.port, drainTimeoutMs);
    if (others.length === 0) await this.#writeConfig(port);
  }

  async switchTo(port: number): Promise<number | undefined> {
    const states = await this.#slots();
    const serving = active(states);
    if (serving?.port === port) return port;
    const next: Slot = serving?.slot === 'blue' ? 'green' : 'blue';
    // One line, executed in order: the new slot takes new requests before the old stops
    // taking them, so there is no instant with no server.
    await this.#command([
      `set server app/${next} addr 127.0.0.1 port ${port}`,
      `set server app/${next} state ready`,
      ...(serving ? [`set server app/${serving.slot} state drain`] : []),
    ]);
    // With a previous container, the file is rewritten once it has drained (drain below).
    if (!serving) await this.#writeConfig(port);
    return serving?.port;
  }

  async drain(port: number, timeoutMs: number): Promise<{ drained: boolean }> {
    const deadline = Date.now() + timeoutMs;
    let drained = false;
    let slot: Slot | undefined;
    let serving: SlotState | undefined;
    for (;;) {
      const states = await this.#slots();
      serving = active(states);
      const state = states.find((s) => s.port === port && !isActive(s));
      slot = state?.slot;
      if (!state || state.current === 0) {
        drained = true;
        break;
      }
      if (Date.now() >= deadline) break;
      await sleep(50);
    }
    if (slot) await this.#command([`set server app/${slot} state maint`, ...(drained ? [] : [`shutdown sessions server app/${slot}`])]);
    // A restarted proxy serves what serves now.
    if (serving) await this.#writeConfig(serving.port);
    return { drained };
  }

  async #slots(): Promise<SlotState[]> {
    return parseShowStat(await this.#command(['show stat app 4 -1']));
  }

  /** Sends commands to the admin socket (`;`-separated, one connection) and returns the answer. */
  async #command(commands: string[]): Promise<string> {
    this.#o.log(`proxy: ${commands.join('; ')}`);
    const socket = await this.#o.openUnixSocket(`${this.#dir}/admin.sock`);
    const answer = await new Promise<string>((resolve, reject) => {
      let out = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (out += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(out));
      socket.end(`${commands.join('; ')}\n`);
    });
    const problem = answer.split('\n').find((l) => /^(?:unknown|no such|require|invalid|.*not found)/i.test(l.trim()));
    if (problem) throw new SlipwayError('EXEC_FAILED', `proxy on ${this.#o.shell.description} refused "${commands.join('; ')}": ${problem.trim()}`);
    return answer;
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await this.#slots();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new SlipwayError('EXEC_FAILED', `proxy ${this.containerName} on ${this.#o.shell.description} did not start: ${(err as Error).message}\n${await this.#o.engine.logs(this.containerName, 20)}`);
        await sleep(100);
      }
    }
  }

  /** Rewrites haproxy.cfg (umask 077, through stdin) with `port` as the serving container. */
  async #writeConfig(port: number | undefined): Promise<void> {
    const text = haproxyConfig({ publish: this.publish, bind: this.#o.bind, active: port === undefined ? undefined : { port }, socket: `${configDir}/admin.sock` });
    const script = 'umask 077 && mkdir -p "$1" && cat > "$1/haproxy.cfg.new" && mv "$1/haproxy.cfg.new" "$1/haproxy.cfg"';
    const result = await this.#o.shell.exec(['sh', '-c', script, 'sh', this.#dir], { stdin: text });
    if (result.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `writing ${this.#dir}/haproxy.cfg on ${this.#o.shell.description}: ${result.stderr.trim()}`);
  }
}

async function slipwayHome(shell: HostShell): Promise<string> {
  const home = await shell.exec(['sh', '-c', 'printf %s "${SLIPWAY_HOME:-$HOME/.slipway}"']);
  if (home.exitCode !== 0 || !home.stdout.startsWith('/')) throw new SlipwayError('EXEC_FAILED', `${shell.description}: cannot find a home directory for Slipway's files`);
  return home.stdout;
}

function isActive(s: SlotState): boolean {
  return !/^(?:MAINT|DRAIN)/i.test(s.status);
}

function active(states: SlotState[]): SlotState | undefined {
  return states.find(isActive);
}
