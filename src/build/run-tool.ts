// Runs a tool (buildah, podman, docker, tar) to completion, streaming its output; a
// non-zero exit becomes an ExecError naming the command, with the tail of its output.
import type { ErrorCode } from '../core/errors.ts';
import { containerToolEnv } from '../core/tool-env.ts';
import type { OutputSink } from '../core/types.ts';
import { commandName, ExecError } from '../exec/exec-error.ts';
import type { ExecFailure } from '../exec/exec-error.ts';
import { delay, signalProcess } from '../exec/kill.ts';
import { processTree } from '../exec/process-tree.ts';
import { run } from '../exec/run.ts';
import type { ProcessHandle } from '../exec/spawn-process.ts';

interface ToolOptions {
  /** Default containerToolEnv(). */
  env?: NodeJS.ProcessEnv;
  onOutput?: OutputSink;
  /** Aborting stops the tool; see `cancel`. */
  signal?: AbortSignal;
  /** Code of the error thrown on failure. Default EXEC_FAILED. */
  errorCode?: Extract<ErrorCode, 'EXEC_FAILED' | 'BUILD_FAILED'>;
  /** Bytes of each output stream kept; default 16 KiB (builds print megabytes), more for output that is parsed. */
  keep?: number;
}

/** Output kept for error messages; builds can print megabytes. */
const keptOutput = 16_384;

/** `output` is stdout and stderr interleaved, as printed; `stdout` alone is for parsing. */
export async function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<{ exitCode: number; output: string; stdout: string }> {
  const result = await runKept(command, args, options);
  return { exitCode: result.exitCode, output: result.output, stdout: result.stdout };
}

async function runKept(command: string, args: string[], options: ToolOptions): Promise<ExecFailure & { output: string }> {
  try {
    return await run([command, ...args], { env: options.env ?? containerToolEnv(), onOutput: options.onOutput, signal: options.signal, keep: options.keep ?? keptOutput, stop: cancel });
  } catch (err) {
    // A tool that cannot be started exits 127, as in a shell.
    if (err instanceof ExecError && !err.started) return { command: [command, ...args], exitCode: err.exitCode, signal: null, stdout: '', stderr: '', output: `${(err.cause as Error).message}\n` };
    throw err;
  }
}

/**
 * Stops a build so that it cleans up after itself. Killing the processes below it that run in
 * a session of their own ends the RUN step's container (its pid-namespace init, so everything
 * in it); the tool sees a failed step, deletes the runtime container and its working container
 * (`--force-rm`) and exits. When nothing runs below it the tool gets SIGINT instead (podman 4.3
 * leaves RUN containers running when signalled mid-step; buildah does not); SIGKILL is the
 * last resort.
 */
async function cancel(child: ProcessHandle): Promise<void> {
  const exited = child.exited.then(() => true);
  const { pid } = child;
  if (pid === 0) return;
  const deadline = Date.now() + 5000;
  let signalled = false;
  do {
    const [tool, ...below] = await processTree(pid);
    if (!tool || tool.pid !== pid) return;
    const containers = below.filter((p) => p.session !== tool.session);
    for (const { pid: target } of containers) signalProcess(target, 'SIGKILL');
    // Once a RUN container was killed, leave the tool alone: a signal would cut its clean-up.
    if (!signalled && containers.length === 0) signalProcess(pid, 'SIGINT');
    signalled = true;
    if (await Promise.race([exited, delay(100).then(() => false)])) return;
  } while (Date.now() < deadline);
  signalProcess(pid, 'SIGKILL');
}

/** Runs the tool and throws unless it exits 0; returns its interleaved output. */
export async function runToolOrThrow(command: string, args: string[], options: ToolOptions = {}): Promise<string> {
  return (await runToolChecked(command, args, options)).output;
}

/** Runs the tool and throws unless it exits 0; returns its whole stdout, for parsing. */
export async function toolStdout(command: string, args: string[], options: ToolOptions = {}): Promise<string> {
  return (await runToolChecked(command, args, { keep: Infinity, ...options })).stdout;
}

async function runToolChecked(command: string, args: string[], options: ToolOptions): Promise<ExecFailure & { output: string }> {
  const result = await runKept(command, args, options);
  if (result.exitCode !== 0) {
    // The message quotes the interleaved output, as the tool printed it.
    throw new ExecError(result, {
      code: options.errorCode,
      message: `${commandName(result.command)} exited with ${result.exitCode}: ${result.output.trim().slice(-1000)}`,
    });
  }
  return result;
}
