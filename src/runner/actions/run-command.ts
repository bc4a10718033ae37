// Runs a helper command for a built-in action, streaming its output to the job log.
import { spawn } from 'node:child_process';
import type { LogWriter } from '../log-writer.ts';
import { SlipwayError } from '../../core/errors.ts';

export function runLogged(argv: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; log: LogWriter; signal?: AbortSignal }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    child.stdout.on('data', (d: Buffer) => options.log.write(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => options.log.write(d.toString('utf8')));
    child.on('error', (err) => reject(new SlipwayError('EXEC_FAILED', `${argv[0]}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new SlipwayError('EXEC_FAILED', `${argv.slice(0, 2).join(' ')} exited with ${code ?? signal}`));
    });
  });
}
