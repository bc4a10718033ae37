// `slipway up` in a child process, so a test can kill it outright (SIGKILL, or a crash
// point with SLIPWAY_CRASH_AT) and start it again on the same data dir and port, as a power
// cut and a reboot would. Only what the test passes reaches the server's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, waitFor } from './harness.ts';
import { mainTs } from './cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const exec = promisify(execFile);

export interface CrashServer {
  url: string;
  port: number;
  token: string;
  /** The server's output so far (for failure messages). */
  output(): string;
  /** Resolves with the signal that ended the process (null: it exited by itself). */
  exited: Promise<NodeJS.Signals | null>;
  kill(signal?: NodeJS.Signals): Promise<NodeJS.Signals | null>;
  /** GET with the admin token; throws on a non-2xx answer. */
  get(path: string): Promise<Response>;
  json<T>(path: string): Promise<T>;
  /** Pushes HEAD of `dir` to `project`'s `branch`. */
  push(dir: string, project: string, branch?: string): Promise<void>;
}

export interface CrashServerOptions {
  dataDir: string;
  /** Reused across restarts; a free one is picked when absent. */
  port?: number;
  /** SLIPWAY_* settings (PATH and HOME come from this process). */
  env?: NodeJS.ProcessEnv;
}

export async function startCrashServer(options: CrashServerOptions): Promise<CrashServer> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const child: ChildProcess = spawn(process.execPath, [mainTs, 'up', '--data', options.dataDir, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const early = exited.then((signal) => new Error(`the server exited before it was up (${signal ?? 'no signal'}):\n${out}`));
  await Promise.race([
    waitFor('the server to answer /healthz', async () => ((await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) ? true : undefined), 60_000),
    early.then((err) => Promise.reject(err)),
  ]);
  const token = (await readFile(join(options.dataDir, 'admin.token'), 'utf8')).trim();
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    url,
    port,
    token,
    output: () => out,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    get,
    json: async <T>(path: string) => (await (await get(path)).json()) as T,
    async push(dir, project, branch = 'main') {
      await exec('git', ['push', '-q', '--force', `${url}/git/${project}.git`, `HEAD:refs/heads/${branch}`], { cwd: dir, env: gitAuthEnv(token) });
    },
  };
}
