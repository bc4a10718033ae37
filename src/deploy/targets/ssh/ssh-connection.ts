// One SSH connection to a deploy host (ssh2): runs the host's commands (a HostShell, so
// the container engine drives podman there exactly as it does locally), and carries the
// deployment's other traffic over the same connection:
// - a remote port forward to Slipway's registry, so the host pulls release images from
//   127.0.0.1:<port> without the registry being exposed or even reachable from the host;
// - local forwards to the host's loopback (health checks of a new container) and to the
//   proxy's admin socket.
// The host's key is checked against the pinned one before anything is sent.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { SlipwayError } from '../../../core/errors.ts';
import { shellJoin } from '../../../core/shell-quote.ts';
import type { Store } from '../../../store/store.ts';
import type { HostShell, ExecOptions, ExecResult } from '../host-shell.ts';
import { checkHostKey } from './known-hosts.ts';
import { parseSshUrl, type SshAddress } from './ssh-url.ts';

interface SshConnectOptions {
  /** `ssh://user@host[:port]` */
  url: string;
  privateKey: string;
  store: Store;
  /** Limit for TCP connect + handshake + authentication (default 10 s). */
  timeoutMs?: number;
  /** Told when a host key is pinned for the first time. */
  log?: (line: string) => void;
}

export class SshConnection implements HostShell {
  readonly description: string;
  readonly address: SshAddress;
  readonly #client: InstanceType<typeof ssh2.Client>;
  readonly #forwards = new Map<number, { host: string; port: number }>();

  private constructor(url: string, address: SshAddress, client: InstanceType<typeof ssh2.Client>) {
    this.description = url;
    this.address = address;
    this.#client = client;
    // Connections the host opens to a forwarded port (podman pulling from the registry).
    client.on('tcp connection', (info, accept, reject) => {
      const target = this.#forwards.get(info.destPort);
      if (!target) return reject();
      const channel = accept();
      const socket = netConnect(target.port, target.host);
      socket.on('error', () => channel.destroy());
      channel.on('error', () => socket.destroy());
      channel.pipe(socket).pipe(channel);
    });
  }

  static async connect(options: SshConnectOptions): Promise<SshConnection> {
    const address = parseSshUrl(options.url);
    const client = new ssh2.Client();
    let keyError: SlipwayError | undefined;
    const config: ConnectConfig = {
      host: address.host,
      port: address.port,
      username: address.user,
      privateKey: options.privateKey,
      readyTimeout: options.timeoutMs ?? 10_000,
      keepaliveInterval: 5000,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        checkHostKey(options.store, options.url, address.address, key).then((verdict) => {
          if (verdict.ok && verdict.firstSeen) options.log?.(`${options.url}: first connection; pinned its host key`);
          if (!verdict.ok) keyError = verdict.error;
          verify(verdict.ok);
        }, (err: unknown) => {
          keyError = new SlipwayError('INTERNAL', `${options.url}: checking the host key: ${(err as Error).message}`);
          verify(false);
        });
      },
    };
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error & { code?: string; level?: string }) => reject(keyError ?? unreachable(options.url, err)));
      client.connect(config);
    });
    client.on('error', () => {}); // later errors surface on the channel that hit them
    return new SshConnection(options.url, address, client);
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new TypeError('exec: empty argv'));
    // A rejection, like every other failure here, not a synchronous throw.
    if (options.signal?.aborted) return Promise.reject(options.signal.reason as Error);
    return new Promise((resolve, reject) => {
      this.#client.exec(shellJoin(argv), (err, channel) => {
        if (err) return reject(new SlipwayError('HOST_UNREACHABLE', `${this.description}: cannot run ${argv[0]}: ${err.message}`));
        let stdout = '';
        let stderr = '';
        const onAbort = (): void => {
          channel.close();
          reject(options.signal!.reason as Error);
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        channel.setEncoding('utf8');
        channel.stderr.setEncoding('utf8');
        channel.on('data', (chunk: string) => {
          stdout += chunk;
          options.onOutput?.(chunk);
        });
        channel.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          options.onOutput?.(chunk);
        });
        channel.on('close', (code: number | null, signal?: string) => {
          options.signal?.removeEventListener('abort', onAbort);
          // No exit status: the command died of a signal, or the connection dropped.
          if (code === null || code === undefined) {
            if (!options.signal?.aborted) reject(new SlipwayError('HOST_UNREACHABLE', `${this.description}: ${argv[0]} ended without an exit status${signal ? ` (signal ${signal})` : ' (connection lost?)'}`));
            return;
          }
          resolve({ exitCode: code, stdout, stderr });
        });
        if (options.stdin === undefined || typeof options.stdin === 'string') channel.end(options.stdin ?? '');
        else options.stdin.pipe(channel);
      });
    });
  }

  /** A stream to `host:port` as seen from the SSH host (its loopback, typically). */
  openTcp(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.#client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => (err ? reject(channelError(this.description, `${host}:${port}`, err)) : resolve(channel)));
    });
  }

  /** A stream to a Unix socket on the SSH host (OpenSSH streamlocal forwarding). */
  openUnixSocket(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.#client.openssh_forwardOutStreamLocal(path, (err: Error | undefined, channel: ClientChannel) => (err ? reject(channelError(this.description, path, err)) : resolve(channel)));
    });
  }

  /**
   * Makes `127.0.0.1:<returned port>` on the host lead to `target` on this machine, for as
   * long as the connection lasts (or until the returned function is called). The port is
   * `preferred` if it is free on the host, else any.
   */
  async forwardToLocal(target: { host: string; port: number }, preferred = 0): Promise<{ remotePort: number; close: () => Promise<void> }> {
    try {
      return await this.#forwardIn(target, preferred);
    } catch (err) {
      if (preferred === 0) throw err;
      return this.#forwardIn(target, 0);
    }
  }

  #forwardIn(target: { host: string; port: number }, port: number): Promise<{ remotePort: number; close: () => Promise<void> }> {
    return new Promise((resolve, reject) => {
      this.#client.forwardIn('127.0.0.1', port, (err, assigned) => {
        if (err) return reject(new SlipwayError('HOST_UNREACHABLE', `${this.description}: the host refused a port forward (AllowTcpForwarding?): ${err.message}`));
        // OpenSSH reports the port only when it chose it.
        const remotePort = assigned || port;
        this.#forwards.set(remotePort, target);
        resolve({
          remotePort,
          close: () =>
            new Promise<void>((done) => {
              this.#forwards.delete(remotePort);
              this.#client.unforwardIn('127.0.0.1', remotePort, () => done());
            }),
        });
      });
    });
  }

  close(): void {
    this.#client.end();
  }
}

function unreachable(url: string, err: Error & { code?: string; level?: string }): SlipwayError {
  const why = err.level === 'client-authentication'
    ? 'the host refused Slipway\'s key (install the output of `slipway hosts key` in the user\'s ~/.ssh/authorized_keys)'
    : err.code ? `${err.code} (${err.message})` : err.message;
  return new SlipwayError('HOST_UNREACHABLE', `${url}: cannot connect: ${why}`);
}

function channelError(url: string, to: string, err: Error): SlipwayError {
  return new SlipwayError('HOST_UNREACHABLE', `${url}: cannot open a channel to ${to}: ${err.message}`);
}
