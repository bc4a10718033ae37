// Runs a command to completion and buffers what it printed (see spawn-process.ts for the
// module's overview). Aborting or a timeout stops the whole process tree, SIGTERM first.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { OutputSink } from '../core/types.ts';
import { ExecError } from './exec-error.ts';
import type { ExecErrorOptions } from './exec-error.ts';
import { processTreeOf, terminateWithGrace } from './kill.ts';
import { spawnProcess } from './spawn-process.ts';
import { notStartedExitCode } from './exit-status.ts';
import type { ProcessHandle } from './spawn-process.ts';

interface RunOptions {
  cwd?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Written to standard input, then closed; without it stdin is /dev/null. */
  input?: string | Buffer | Readable;
  /** Receives stdout and stderr as they arrive. */
  onOutput?: OutputSink;
  /** Aborting stops the process; `run` then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Stops the process after this long; the result says `timedOut`. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping. Default 2000. */
  killGraceMs?: number;
  /** Replaces the default stop (the process tree, SIGTERM then SIGKILL) for tools that must clean up. */
  stop?: (handle: ProcessHandle) => Promise<void>;
  /** Characters (bytes for stdoutBytes) kept from the end of each output; default all. */
  keep?: number;
  /** Hides secrets in the error `runOrThrow` raises. */
  mask?: (text: string) => string;
}

export interface RunResult {
  command: string[];
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  /** stdout as bytes, for binary output (git objects). */
  stdoutBytes: Buffer;
  timedOut: boolean;
}

/** Runs `argv` (no shell) and resolves with how it ended, whatever the exit code. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  options.signal?.throwIfAborted();
  let handle: ReturnType<typeof spawnProcess>;
  try {
    handle = spawnProcess(argv, { cwd: options.cwd, env: options.env, stdin: options.input === undefined ? 'ignore' : 'pipe' });
  } catch (err) {
    const message = (err as Error).message;
    throw new ExecError({ command: [...argv], exitCode: notStartedExitCode, signal: null, stdout: '', stderr: message }, { message: `cannot run ${argv[0]}: ${message}`, cause: err, mask: options.mask, started: false });
  }
  const keep = options.keep ?? Infinity;
  const stdoutBytes = new ByteTail(keep);
  const stderrBytes = new ByteTail(keep);
  let output = '';
  const collect = (stream: Readable | null, bytes: ByteTail) => {
    const decoder = new StringDecoder('utf8');
    stream?.on('data', (chunk: Buffer) => {
      bytes.push(chunk);
      const text = decoder.write(chunk);
      output = (output + text).slice(-keep);
      if (text) options.onOutput?.(text);
    });
    stream?.on('end', () => {
      // A multi-byte character cut by the end of the output.
      const rest = decoder.end();
      output = (output + rest).slice(-keep);
      if (rest) options.onOutput?.(rest);
    });
  };
  collect(handle.stdout, stdoutBytes);
  collect(handle.stderr, stderrBytes);
  let stdinError: Error | undefined;
  if (options.input !== undefined && handle.stdin) {
    handle.stdin.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE: the command exited without reading all its input, which is its business.
      if (err.code !== 'EPIPE') stdinError ??= err;
    });
    if (options.input instanceof Readable) options.input.pipe(handle.stdin);
    else handle.stdin.end(options.input);
  }

  let stopping: Promise<void> | undefined;
  let stopError: unknown;
  const stop = () => {
    // Kept, not thrown here: it is raised once the process is gone, in place of the result.
    stopping ??= (options.stop ?? ((h) => stopTree(h, options.killGraceMs ?? 2000)))(handle).catch((err: unknown) => {
      stopError = err;
    });
  };
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  const onAbort = () => stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await handle.closed.finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  await stopping;
  if (stopError !== undefined) throw stopError;
  options.signal?.throwIfAborted();

  if (exit.error && handle.pid === 0) {
    throw new ExecError({ command: [...argv], exitCode: exit.exitCode, signal: null, stdout: '', stderr: exit.error.message }, {
      message: `cannot run ${argv[0]}: ${exit.error.message}`,
      cause: exit.error,
      mask: options.mask,
      started: false,
    });
  }
  const error = exit.error ?? stdinError;
  if (error) throw new ExecError({ command: [...argv], exitCode: exit.exitCode, signal: exit.signal, stdout: '', stderr: error.message }, { cause: error, mask: options.mask });
  const stdoutBuffer = stdoutBytes.bytes();
  return {
    command: [...argv],
    exitCode: exit.exitCode,
    signal: exit.signal,
    stdout: stdoutBuffer.toString('utf8'),
    stderr: stderrBytes.bytes().toString('utf8'),
    output,
    stdoutBytes: stdoutBuffer,
    timedOut,
  };
}

/** Like `run`, but anything other than exit 0 throws an ExecError (EXEC_FAILED). */
export async function runOrThrow(argv: readonly string[], options: RunOptions & Pick<ExecErrorOptions, 'code' | 'message'> = {}): Promise<RunResult> {
  const result = await run(argv, options);
  if (result.exitCode !== 0) throw new ExecError(result, options);
  return result;
}

/** The default stop: the process group and the descendants that left it. */
async function stopTree(handle: ProcessHandle, graceMs: number): Promise<void> {
  if (handle.pid === 0) return;
  await terminateWithGrace(await processTreeOf(handle.pid), { graceMs });
}

/** The last `limit` bytes written. */
class ByteTail {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    while (this.#length - (this.#chunks[0]?.length ?? 0) >= this.#limit && this.#chunks.length > 1) {
      this.#length -= this.#chunks.shift()!.length;
    }
  }

  bytes(): Buffer {
    const all = Buffer.concat(this.#chunks);
    return all.length > this.#limit ? all.subarray(all.length - this.#limit) : all;
  }
}
