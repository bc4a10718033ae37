// Remote runners as the user starts them: `slipway runners token create` (an admin), then
// `slipway runner register` and `slipway runner` as child processes with their own data dir.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mainTs, runCli } from './cli.ts';

export interface RunnerProcesses {
  /** Registers runner `name` offering `labels` (`a,b`); answers its data dir. */
  register(name: string, labels: string): Promise<string>;
  /** `slipway runner --data DIR [args]`, its output echoed to this test's stderr. */
  start(dir: string, args?: string[]): ChildProcess;
  /** kill -9 of every runner still running. */
  killAll(): void;
}

/** Runners of the server at `server`, registered with `adminToken`'s registration tokens, with HOME `home`. */
export function runnerProcesses(server: { url: string; adminToken: string }, home: string): RunnerProcesses {
  const children: ChildProcess[] = [];
  const env = { PATH: process.env.PATH, HOME: home };
  return {
    async register(name, labels) {
      const created = await runCli(['runners', 'token', 'create', '--json', '--server', server.url], { env: { ...env, SLIPWAY_TOKEN: server.adminToken } });
      assert.equal(created.code, 0, created.stderr);
      const { token } = JSON.parse(created.stdout) as { token: string };
      const dir = join(home, name);
      const r = await runCli(['runner', 'register', '--server', server.url, '--token', token, '--name', name, '--labels', labels, '--data', dir], { env });
      assert.equal(r.code, 0, r.stderr);
      return dir;
    },
    start(dir, args = []) {
      const child = spawn(process.execPath, [mainTs, 'runner', '--data', dir, '--heartbeat-seconds', '1', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[runner] ${d}`));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(`[runner] ${d}`));
      children.push(child);
      return child;
    },
    killAll() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}
