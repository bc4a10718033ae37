// Runs a build tool (buildah, podman, docker, tar) to completion, streaming its output; a
// non-zero exit becomes a SlipwayError naming the command, with the tail of its output.
import { spawn } from 'node:child_process';
import { SlipwayError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { containerToolEnv } from '../core/tool-env.ts';
import type { OutputSink } from '../core/types.ts';

export interface ToolOptions {
  /** Default containerToolEnv(). */
  env?: NodeJS.ProcessEnv;
  onOutput?: OutputSink;
  /** Aborting sends SIGTERM (buildah and podman clean up their working containers on it). */
  signal?: AbortSignal;
  /** Code of the error thrown on failure. Default EXEC_FAILED. */
  errorCode?: ErrorCode;
}

/** Output kept for error messages; builds can print megabytes. */
const keptOutput = 16_384;

export async function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<{ exitCode: number; output: string }> {
  options.signal?.throwIfAborted();
  const { onOutput } = options;
  const result = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? containerToolEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    let output = '';
    const collect = (chunk: string) => {
      output = (output + chunk).slice(-keptOutput);
      onOutput?.(chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    child.on('error', (err) => {
      if (err.name !== 'AbortError') output += `${err.message}\n`;
    });
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), output }));
  });
  options.signal?.throwIfAborted();
  return result;
}

/** Runs the tool and throws unless it exits 0. */
export async function runToolOrThrow(command: string, args: string[], options: ToolOptions = {}): Promise<string> {
  const { exitCode, output } = await runTool(command, args, options);
  if (exitCode !== 0) {
    throw new SlipwayError(options.errorCode ?? 'EXEC_FAILED', `${command} ${args[0] ?? ''} exited with ${exitCode}: ${output.trim().slice(-1000)}`, {
      detail: { command: [command, ...args], exitCode, output },
    });
  }
  return output;
}
