// Runs one podman/docker CLI command to completion and returns its output; a non-zero exit
// becomes an EXEC_FAILED error that names the command and carries its output.
import { spawn } from 'node:child_process';
import { SlipwayError } from '../../../core/errors.ts';
import { containerToolEnv } from '../../../core/tool-env.ts';

export interface EngineOptions {
  /** Default containerToolEnv(). */
  env?: NodeJS.ProcessEnv;
  onOutput?: (text: string) => void;
}

export interface EngineResult {
  exitCode: number;
  output: string;
}

/** Runs `engine args…`; resolves with the exit code instead of throwing. */
export function engineRun(engine: string, args: string[], options: EngineOptions = {}): Promise<EngineResult> {
  const { onOutput } = options;
  return new Promise((resolve) => {
    const child = spawn(engine, args, { env: options.env ?? containerToolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: string) => {
      output += chunk;
      onOutput?.(chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', (err) => resolve({ exitCode: 127, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), output }));
  });
}

/** Runs `engine args…` and throws EXEC_FAILED unless it exits 0. */
export async function engineCommand(engine: string, args: string[], options: EngineOptions = {}): Promise<string> {
  const result = await engineRun(engine, args, options);
  if (result.exitCode !== 0) {
    const command = `${engine} ${args.slice(0, 2).join(' ')}`;
    throw new SlipwayError('EXEC_FAILED', `${command} exited with ${result.exitCode}: ${result.output.trim().slice(-500)}`, {
      detail: { command: [engine, ...args], exitCode: result.exitCode, output: result.output },
    });
  }
  return result.output;
}
