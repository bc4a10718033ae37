// `slipway up` as a child process, so a test can kill it outright (SIGKILL, as a power cut
// would; SLIPWAY_CRASH_AT picks the moment, src/core/crash-point.ts) and start it again on
// the same data dir and port.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mainTs } from './cli.ts';
import { waitFor } from './harness.ts';

export interface ServerProcess {
  url: string;
  token: string;
  /** Resolves with the signal that ended it (null: it exited on its own). */
  exited: Promise<NodeJS.Signals | null>;
  /** What it printed so far. */
  output(): string;
  /** SIGTERM (a clean stop), then waits for it. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for it. */
  kill(): Promise<void>;
  api<T>(path: string, init?: RequestInit): Promise<T>;
}

/** Starts `slipway up --data dataDir --port port [...args]` with `env` (SLIPWAY_* settings) and waits for /healthz. */
export async function startServerProcess(o: { dataDir: string; port: number; env?: NodeJS.ProcessEnv; args?: string[] }): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...o.env };
  const child = spawn(process.execPath, [mainTs, 'up', '--data', o.dataDir, '--port', String(o.port), ...(o.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = `http://127.0.0.1:${o.port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor('the server to answer /healthz', async () => {
    if (gone) throw new Error(`the server exited while starting:\n${out}`);
    return (await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false)) ? true : undefined;
  }, 60_000);
  const token = (await readFile(join(o.dataDir, 'admin.token'), 'utf8')).trim();
  const end = async (signal: NodeJS.Signals) => {
    if (!gone) child.kill(signal);
    await exited;
  };
  return {
    url,
    token,
    exited,
    output: () => out,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async api<T>(path: string, init: RequestInit = {}): Promise<T> {
      const type: Record<string, string> = typeof init.body === 'string' ? { 'content-type': 'application/json' } : {};
      const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...type, ...init.headers } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}
