// Runs a tool (buildah, podman, docker, tar) to completion, streaming its output; a
// non-zero exit becomes a SlipwayError naming the command, with the tail of its output.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { SlipwayError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';
import { containerToolEnv } from '../core/tool-env.ts';
import type { OutputSink } from '../core/types.ts';
import { processTree } from './process-tree.ts';

export interface ToolOptions {
  /** Default containerToolEnv(). */
  env?: NodeJS.ProcessEnv;
  onOutput?: OutputSink;
  /** Aborting stops the tool; see `cancel`. */
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
    });
    const onAbort = () => void cancel(child);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', () => options.signal?.removeEventListener('abort', onAbort));
    let output = '';
    const collect = (chunk: string) => {
      output = (output + chunk).slice(-keptOutput);
      onOutput?.(chunk);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    // A tool that cannot be started exits 127, as in a shell.
    let notStarted = false;
    child.on('error', (err) => {
      notStarted ||= child.pid === undefined;
      output += `${err.message}\n`;
    });
    child.on('close', (code, signal) => resolve({ exitCode: notStarted ? 127 : code ?? (signal ? 128 : 1), output }));
  });
  options.signal?.throwIfAborted();
  return result;
}

/**
 * Stops a build so that it cleans up after itself. Killing the processes below it that run in
 * a session of their own ends the RUN step's container (its pid-namespace init, so everything
 * in it); the tool sees a failed step, deletes the runtime container and its working container
 * (`--force-rm`) and exits. When nothing runs below it the tool gets SIGINT instead (podman 4.3
 * leaves RUN containers running when signalled mid-step; buildah does not); SIGKILL is the
 * last resort.
 */
async function cancel(child: ChildProcess): Promise<void> {
  const exited = new Promise<boolean>((resolve) => child.once('close', () => resolve(true)));
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const deadline = Date.now() + 5000;
  let signalled = false;
  do {
    const [tool, ...below] = await processTree(pid);
    if (!tool || tool.pid !== pid) return;
    const containers = below.filter((p) => p.session !== tool.session);
    for (const { pid: target } of containers) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // Once a RUN container was killed, leave the tool alone: a signal would cut its clean-up.
    if (!signalled && containers.length === 0) child.kill('SIGINT');
    signalled = true;
    if (await Promise.race([exited, delay(100).then(() => false)])) return;
  } while (Date.now() < deadline);
  child.kill('SIGKILL');
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the tool and throws unless it exits 0. */
export async function runToolOrThrow(command: string, args: string[], options: ToolOptions = {}): Promise<string> {
  const { exitCode, output } = await runTool(command, args, options);
  if (exitCode !== 0) {
    // Named by the tool and its subcommand words (`podman network create`), not its flags.
    const words = [command];
    for (const arg of args.slice(0, 2)) {
      if (arg.startsWith('-')) break;
      words.push(arg);
    }
    throw new SlipwayError(options.errorCode ?? 'EXEC_FAILED', `${words.join(' ')} exited with ${exitCode}: ${output.trim().slice(-1000)}`, {
      detail: { command: [command, ...args], exitCode, output },
    });
  }
  return output;
}
