// Runs a deploy target's commands on this host, with the container tools' environment.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { containerToolEnv } from '../../../core/tool-env.ts';
import type { HostShell, ExecOptions, ExecResult } from '../host-shell.ts';

export class LocalShell implements HostShell {
  readonly description = 'local';

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const [command, ...args] = argv;
    if (command === undefined) return Promise.reject(new TypeError('exec: empty argv'));
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: containerToolEnv(),
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        signal: options.signal,
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        options.onOutput?.(chunk);
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        options.onOutput?.(chunk);
      });
      // 'error' covers a missing binary and an abort (spawn's signal option kills the child).
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr }));
      if (options.stdin !== undefined && child.stdin) {
        // EPIPE when the command exits without reading its input is not our failure.
        child.stdin.on('error', () => {});
        if (typeof options.stdin === 'string') child.stdin.end(options.stdin);
        else options.stdin.pipe(child.stdin);
      }
    });
  }
}
