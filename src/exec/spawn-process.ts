// src/exec: the one way Slipway runs a process. `spawnProcess` (here) starts one with its
// streams, for long-lived processes (git http-backend, a step, `podman save | …`); `run`
// (run.ts) buffers its output for everything else. Both put the process in a process group
// of its own, so stopping it reaches everything it started (kill.ts), report one exit-code
// convention (exit-status.ts) and fail with one ExecError (exec-error.ts).
//
// Why node:child_process and not execa or tinyexec: what those add over it is promise
// sugar, output buffering and a kill that escalates, all a few lines here; what we need
// most — killing the whole process group and the descendants that left it with setsid,
// waiting for them to go, 128+n for signals, secret-masked output in errors — neither does
// for us, so a dependency would sit under the same code rather than replace it.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { exitCodeOf, notStartedExitCode } from './exit-status.ts';

type StdioMode = 'pipe' | 'ignore';

interface SpawnOptions {
  cwd?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default 'ignore'. */
  stdin?: StdioMode;
  /** Default 'pipe'. */
  stdout?: StdioMode;
  /** Default 'pipe'. */
  stderr?: StdioMode;
}

interface ProcessExit {
  /** 0–255; 128 + n when killed by signal n; 127 when it could not be started. */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Why the process could not be started (ENOENT, EACCES), or a later error Node reported. */
  error?: Error;
}

export interface ProcessHandle {
  readonly argv: readonly string[];
  /** Pid and process-group id; 0 when it never started. */
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves when the process exited (its output may still be arriving). */
  readonly exited: Promise<ProcessExit>;
  /** Resolves when it exited and its stdout and stderr are closed. */
  readonly closed: Promise<ProcessExit>;
}

export function spawnProcess(argv: readonly string[], options: SpawnOptions = {}): ProcessHandle {
  const [command, ...args] = argv;
  if (command === undefined) throw new TypeError('spawnProcess: empty argv');
  // detached: the process leads its own process group, so one kill(-pid) reaches its children.
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', options.stderr ?? 'pipe'],
    });
  } catch (err) {
    // Some start failures (E2BIG) are thrown at once rather than emitted.
    throw startError(command, err as Error);
  }
  let exit: ProcessExit | undefined;
  let lateError: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit ??= { exitCode: exitCodeOf(code, signal), signal, ...(lateError ? { error: lateError } : {}) };
      resolve(exit);
    });
    child.on('error', (raw) => {
      const error = startError(command, raw);
      // A process that could not be started emits 'error' and 'close' but never 'exit'.
      if (child.pid === undefined) {
        exit ??= { exitCode: notStartedExitCode, signal: null, error };
        resolve(exit);
      } else {
        lateError ??= error;
      }
    });
  });
  const closed = new Promise<ProcessExit>((resolve) => {
    child.once('close', (code, signal) => resolve(exit ?? { exitCode: exitCodeOf(code, signal), signal }));
  });
  return { argv, pid: child.pid ?? 0, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, closed };
}

/** Says what E2BIG means in practice; other start errors are as Node gives them. */
function startError(command: string, error: Error): Error {
  if ((error as NodeJS.ErrnoException).code !== 'E2BIG') return error;
  return Object.assign(new Error(`${command} could not start: its arguments and environment are too large (E2BIG; Linux takes at most 128 KiB per variable or argument and about 2 MiB in all): pass large values in a file`), { code: 'E2BIG', cause: error });
}
