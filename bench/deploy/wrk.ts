// wrk as a load generator that runs until told to stop: started before a deploy, stopped
// (SIGINT: wrk then prints its summary) after it, so each figure covers exactly one switch.
import { spawn } from 'node:child_process';

export interface LoadResult {
  requests: number;
  /** Non-2xx/3xx responses plus socket errors (connect, read, write, timeout). */
  failed: number;
  p99Ms: number;
  maxMs: number;
  raw: string;
}

export function startLoad(url: string, connections = 8): { stop: () => Promise<LoadResult> } {
  const child = spawn('wrk', ['-t1', `-c${connections}`, '-d3600s', '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
      return parseWrk(out);
    },
  };
}

export function parseWrk(out: string): LoadResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const ms = (re: RegExp): number => {
    const m = re.exec(out);
    if (!m) return NaN;
    const value = Number(m[1]);
    return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const requests = num(/(\d+) requests in/);
  if (!/requests in/.test(out)) throw new Error(`wrk printed no summary:\n${out}`);
  return {
    requests,
    failed: num(/Non-2xx or 3xx responses: (\d+)/) + socketErrors,
    p99Ms: ms(/\s99%\s+([\d.]+)(us|ms|s)\b/),
    maxMs: ms(/Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b/),
    raw: out,
  };
}
