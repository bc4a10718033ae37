// A real `slipway up` as a child process on a temp data dir, so that its peak RSS can be
// read from /proc/<pid>/status (VmHWM) — an in-process server would share our heap.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { repoRoot } from '../../test/support/harness.ts';

export interface BenchServer {
  url: string;
  token: string;
  pid: number;
  /** Everything the server printed, for the report when something fails. */
  output: string[];
  api<T>(path: string): Promise<T>;
  text(path: string): Promise<string>;
  /** Peak and current resident set size in MB, from /proc/<pid>/status. */
  memory(): { peakMb: number; currentMb: number };
  stop(): Promise<number | null>;
}

export async function startServer(dataDir: string, timeoutMs = 30_000): Promise<BenchServer> {
  // SLIPWAY_* in our environment would reconfigure the server (port, data dir, …).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLIPWAY_')));
  const child = spawn(join(repoRoot, 'bin/slipway'), ['up', '--data', dataDir, '--port', '0'], {
    env: { ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway up did not start in ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      // `bin/slipway up` prints "Slipway is up at http://127.0.0.1:PORT (data in …)".
      const m = /Slipway is up at (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`slipway up exited with ${code}:\n${output.join('')}`));
    });
  });
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    url,
    token,
    pid: child.pid!,
    output,
    api: async <T>(path: string) => (await (await get(path)).json()) as T,
    text: async (path: string) => (await get(path)).text(),
    memory: () => memoryOf(child.pid!),
    stop: () => stopChild(child),
  };
}

function memoryOf(pid: number): { peakMb: number; currentMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, currentMb: kb('VmRSS') / 1024 };
}

/** SIGTERM (a clean shutdown), then SIGKILL if it is still there after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}
