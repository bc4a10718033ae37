// The slice of the podman (or docker) CLI the deploy engine uses, over a HostShell so
// the same code drives the local host and SSH hosts. Secrets never reach a command line:
// env values go in an --env-file and registry credentials in an auth file, both 0600 in a
// private temp dir on the target, written from stdin and deleted by the same command
// (temp-file.ts: one round trip, which counts over SSH).
// (`--env-file /dev/stdin` would skip the file, but podman cannot open a socket as
// /dev/stdin, and Node's child stdin is one.)
import { authFileContent } from '../../build/registry-auth.ts';
import { SlipwayError } from '../../core/errors.ts';
import { ExecError } from '../../exec/exec-error.ts';
import { loggingShell, type HostShell, type ExecOptions, type ExecResult } from '../targets/host-shell.ts';
import { parseInspect } from './container-inspect.ts';
import type { ContainerInfo } from './container-inspect.ts';
import { execWithPrivateFile } from '../targets/temp-file.ts';

export type { ContainerInfo } from './container-inspect.ts';

interface ContainerEngineOptions {
  shell: HostShell;
  binary?: 'podman' | 'docker';
  /** Receives `$ podman run …` for every command run on the host (temp files included), and pull progress. */
  log?: (line: string) => void;
}

interface RunContainer {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** The app's port inside the container; published on an ephemeral host port. */
  containerPort: number;
  /** Address the host port binds to; loopback so only the proxy reaches the app. */
  hostIp?: string;
  /** Overrides the image's command. */
  command?: string[];
}

interface PullOptions {
  /** Plain HTTP or unverified TLS (the built-in registry on loopback). Podman only: Docker decides per daemon. */
  insecure: boolean;
  auth?: { username: string; password: string };
  signal?: AbortSignal;
}

const notFound = /no such container|no container with name or id/i;
// Scripts run with a private file (temp-file.ts); "$d" is its dir.
// Engine, container name, container port, then `run` arguments: start it, print the published port.
const runScript = 'engine=$1 name=$2 port=$3; shift 3; "$engine" run --env-file "$d/env" "$@" || exit $?; "$engine" port "$name" "$port/tcp"';
// Engine, then `pull` arguments. Podman takes an auth file; Docker a config dir, before the command.
const pullScripts = {
  podman: 'engine=$1; shift; "$engine" pull --authfile "$d/auth.json" "$@"',
  docker: 'engine=$1; shift; "$engine" --config "$d" pull "$@"',
} as const;
const envKey = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class ContainerEngine {
  /** Runs (and logs) the commands. */
  readonly shell: HostShell;
  readonly binary: 'podman' | 'docker';
  readonly #unlogged: HostShell;
  readonly #log: (line: string) => void;

  constructor(options: ContainerEngineOptions) {
    this.#unlogged = options.shell;
    this.shell = options.log ? loggingShell(options.shell, options.log) : options.shell;
    this.binary = options.binary ?? 'podman';
    this.#log = options.log ?? (() => {});
  }

  /** The same engine reporting to another log (one per deployment). */
  withLog(log: (line: string) => void): ContainerEngine {
    return new ContainerEngine({ shell: this.#unlogged, binary: this.binary, log });
  }

  async pull(ref: string, options: PullOptions): Promise<void> {
    const progress = (text: string): void => text.split(/\r?\n/).filter(Boolean).forEach((line) => this.#log(line));
    const pullArgs = [...(this.binary === 'podman' && options.insecure ? ['--tls-verify=false'] : []), ref];
    const exec = { onOutput: progress, signal: options.signal };
    if (!options.auth) {
      await this.#check(['pull', ...pullArgs], exec);
      return;
    }
    // containers-auth.json(5) and Docker's config.json share the `auths` format.
    const content = authFileContent(ref, options.auth);
    const file = { name: this.binary === 'podman' ? 'auth.json' : 'config.json', content };
    const result = await execWithPrivateFile(this.shell, file, pullScripts[this.binary], [this.binary, ...pullArgs], exec);
    this.#verify(result, 'pull', [this.binary, 'pull', ...pullArgs]);
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.#exec(['image', 'inspect', '--format', '{{.Id}}', ref])).exitCode === 0;
  }

  /** Starts a detached container; returns its id and the host port its port was published on. */
  async run(options: RunContainer): Promise<{ id: string; hostPort: number }> {
    for (const [key, value] of Object.entries(options.env)) {
      // --env-file is one KEY=value per line.
      if (!envKey.test(key) || /[\r\n\0]/.test(value)) throw new SlipwayError('BAD_REQUEST', `environment variable ${key} cannot be passed to a container (bad name, or a newline in its value)`);
    }
    const args = [
      // --init: a tiny init as PID 1 forwards SIGTERM and reaps children, so apps that
      // never installed a SIGTERM handler (PID 1 ignores it by default) stop promptly.
      '--detach', '--init', '--name', options.name,
      ...Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      '--publish', `${options.hostIp ?? '127.0.0.1'}::${options.containerPort}`,
    ];
    const tail = [options.image, ...(options.command ?? [])];
    const envFile = Object.entries(options.env).map(([k, v]) => `${k}=${v}\n`).join('');
    try {
      // One round trip: env file, start, published port.
      const result = await execWithPrivateFile(this.shell, { name: 'env', content: envFile }, runScript, [this.binary, options.name, String(options.containerPort), ...args, ...tail]);
      this.#verify(result, 'run', [this.binary, 'run', ...args, ...tail]);
      const lines = result.stdout.trim().split('\n');
      const hostPort = Number(/:(\d+)\s*$/.exec(lines.at(-1) ?? '')?.[1]);
      if (!Number.isInteger(hostPort) || hostPort <= 0) throw new SlipwayError('EXEC_FAILED', `${options.name}: port ${options.containerPort} is not published (${result.stdout.trim()})`);
      return { id: lines[0] ?? '', hostPort };
    } catch (err) {
      // `run` can fail after creating the container (e.g. it cannot start): leave nothing
      // behind, unless the name belonged to another container all along.
      const stderr = String((err as { detail?: { stderr?: unknown } }).detail?.stderr ?? '');
      if (!/already in use/i.test(stderr)) await this.remove(options.name);
      throw err;
    }
  }

  /** Starts a detached infrastructure container (the per-host proxy): no env, no published port. */
  async start(options: { name: string; image: string; labels: Record<string, string>; network?: 'host'; restart?: 'always'; volumes?: string[]; command: string[] }): Promise<void> {
    await this.#check([
      'run', '--detach', '--name', options.name,
      ...Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      ...(options.network ? ['--network', options.network] : []),
      ...(options.restart ? ['--restart', options.restart] : []),
      ...(options.volumes ?? []).flatMap((v) => ['--volume', v]),
      options.image, ...options.command,
    ]);
  }

  /** Stops a container (SIGTERM, then SIGKILL after `timeoutSec`); a missing one is fine. */
  async stop(name: string, timeoutSec: number): Promise<void> {
    await this.#check(['stop', '--time', String(timeoutSec), name], { allowNotFound: true });
  }

  /**
   * Removes a container, stopping it first if needed (SIGTERM, then SIGKILL after
   * `stopTimeoutSec`; default at once); a missing one is fine.
   */
  async remove(name: string, stopTimeoutSec = 0): Promise<void> {
    if (this.binary === 'docker' && stopTimeoutSec > 0) await this.stop(name, stopTimeoutSec);
    await this.#check(['rm', '--force', ...(this.binary === 'podman' ? ['--time', String(stopTimeoutSec)] : []), name], { allowNotFound: true });
  }

  /** Containers (running or not) carrying all of `labels`. */
  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
    const { stdout } = await this.#check(['ps', '--all', '--no-trunc', '--quiet', ...filters]);
    const ids = stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    return ids.length === 0 ? [] : this.#inspect(ids);
  }

  async inspect(nameOrId: string): Promise<ContainerInfo | undefined> {
    return (await this.#inspect([nameOrId]))[0];
  }

  /**
   * One `inspect` for all of `ids`. A missing container (say, removed since `ps`) is simply
   * not listed: the engine prints the others and fails with "no such container".
   */
  async #inspect(ids: string[]): Promise<ContainerInfo[]> {
    const { stdout } = await this.#check(['container', 'inspect', ...ids], { allowNotFound: true });
    return stdout.trim() ? parseInspect(stdout) : [];
  }

  /** The last lines a container wrote, for messages about why it failed. */
  async logs(name: string, tail: number): Promise<string> {
    const result = await this.#exec(['logs', '--tail', String(tail), name]);
    return (result.stdout + result.stderr).trim();
  }

  async #exec(args: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.shell.exec([this.binary, ...args], options);
  }

  /** Runs and throws EXEC_FAILED (command, exit code, stderr) unless it succeeded. */
  async #check(args: string[], options: ExecOptions & { allowNotFound?: boolean } = {}): Promise<ExecResult> {
    const result = await this.#exec(args, options);
    if (!(options.allowNotFound && notFound.test(result.stderr))) this.#verify(result, args.slice(0, 2).join(' '), [this.binary, ...args]);
    return result;
  }

  /** Throws EXEC_FAILED naming `<engine> <what>`, the exit code and stderr, unless the command succeeded. */
  #verify(result: ExecResult, what: string, argv: string[]): void {
    if (result.exitCode === 0) return;
    throw new ExecError({ command: argv, exitCode: result.exitCode, signal: null, stdout: result.stdout, stderr: result.stderr }, {
      message: `${this.binary} ${what} failed on ${this.shell.description} (exit ${result.exitCode}): ${result.stderr.trim().slice(-2000)}`,
    });
  }
}
