// `slipway up` in a child process, so a test can kill it outright (SIGKILL, as a power cut
// would; SLIPWAY_CRASH_AT picks the moment, src/core/crash-point.ts) and start it again on
// the same data dir and port, as a reboot would. Only what the test passes reaches the
// server's environment.
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './harness.ts';
import { mainTs } from './cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const exec = promisify(execFile);

export interface ServerProcess {
  url: string;
  /** The server's process id (benches read its memory from /proc). */
  pid: number;
  port: number;
  token: string;
  /** What it printed so far (for failure messages). */
  output(): string;
  /** Resolves with the signal that ended it (null: it exited on its own). */
  exited: Promise<NodeJS.Signals | null>;
  /** Sends `signal` (SIGKILL unless told) unless it already ended, then waits for the end. */
  kill(signal?: NodeJS.Signals): Promise<NodeJS.Signals | null>;
  /** SIGTERM (a clean stop), then waits for it. */
  stop(): Promise<NodeJS.Signals | null>;
  /** GET with the admin token; throws on a non-2xx answer. */
  get(path: string): Promise<Response>;
  /** GET as JSON. */
  json<T>(path: string): Promise<T>;
  /** Any request with the admin token (a string body is sent as JSON); throws on a non-2xx answer. */
  api<T>(path: string, init?: RequestInit): Promise<T>;
  /** Pushes HEAD of `dir` to `project`'s `branch`. */
  push(dir: string, project: string, branch?: string): Promise<void>;
}

export interface ServerProcessOptions {
  dataDir: string;
  /** Reused across restarts; a free one is picked when absent. */
  port?: number;
  /** SLIPWAY_* settings (PATH and HOME come from this process). */
  env?: NodeJS.ProcessEnv;
  /** More arguments of `slipway up` (e.g. `--log-format json`). */
  args?: string[];
}

/** Starts `slipway up --data dataDir --port port [...args]` and waits for /healthz. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const child = spawn(process.execPath, [mainTs, 'up', '--data', options.dataDir, '--port', String(port), ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const early = exited.then((signal) => new Error(`the server exited before it was up (${signal ?? 'no signal'}):\n${out}`));
  await Promise.race([
    waitFor('the server to answer /healthz', async () => ((await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) ? true : undefined), 60_000),
    early.then((err) => Promise.reject(err)),
  ]);
  const token = (await readFile(join(options.dataDir, 'admin.token'), 'utf8')).trim();
  const request = async (path: string, init: RequestInit = {}) => {
    // The API reads JSON bodies only when they say so (415 otherwise).
    const type: Record<string, string> = typeof init.body === 'string' ? { 'content-type': 'application/json' } : {};
    const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...type, ...init.headers } });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    pid: child.pid!,
    port,
    token,
    output: () => out,
    exited,
    kill,
    stop: () => kill('SIGTERM'),
    get: (path) => request(path),
    json: async <T>(path: string) => (await (await request(path)).json()) as T,
    api: async <T>(path: string, init?: RequestInit) => (await (await request(path, init)).json()) as T,
    async push(dir, project, branch = 'main') {
      await exec('git', ['push', '-q', '--force', `${url}/git/${project}.git`, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(token) });
    },
  };
}
