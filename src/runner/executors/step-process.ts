// Runs one step's process and owns its life cycle: streams output, enforces the timeout and
// the cancel signal by killing everything the step started (SIGTERM, then SIGKILL after a
// grace period), and resolves once the process exited and its output is drained.
import { armStepStop } from './step-stop.ts';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { OutputSink } from '../../core/types.ts';
import { groupAlive, signalGroup, terminateWithGrace } from '../../exec/kill.ts';
import type { KillSignal } from '../../exec/kill.ts';
import { spawnProcess } from '../../exec/spawn-process.ts';
import type { StepOutcome } from '../executor.ts';

interface StepProcessOptions {
  argv: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput: OutputSink;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /**
   * After the process exits, how long to keep reading output a background grandchild may
   * hold the pipes open with (`server &`); then the step is over and later output is dropped.
   */
  drainMs: number;
  /** Signals everything the step started. Default: the spawned process group. */
  terminate?: (signal: KillSignal, pid: number) => Promise<void>;
  /** Whether anything the step started is still alive. Default: the process group exists. */
  isAlive?: (pid: number) => Promise<boolean>;
  /** How often `isAlive` is asked during the grace period. */
  pollMs?: number;
}

interface StepProcessResult extends StepOutcome {
  /** Pid (and process group id) of the spawned process; 0 when it never started. */
  pid: number;
}

export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const { argv, onOutput } = options;
  if (options.signal?.aborted) return Promise.resolve({ exitCode: 143, timedOut: false, cancelled: true, pid: 0 });
  const terminate = options.terminate ?? (async (signal, pid) => void signalGroup(pid, signal));
  const isAlive = options.isAlive ?? (async (pid) => groupAlive(pid));

  return new Promise((resolve) => {
    // The step leads its own process group, so one kill(-pid) reaches its children.
    const child = spawnProcess(argv, { cwd: options.cwd, env: options.env });
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    const pid = child.pid;
    let exitCode: number | null = null;
    let openStreams = 2;
    let drained = false;
    let killing: Promise<void> | null = null;
    let killDone = false;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const forward = (chunk: string) => {
      if (!settled) onOutput(chunk);
    };
    const watch = (stream: Readable) => {
      stream.setEncoding('utf8');
      stream.on('data', forward);
      stream.on('close', () => {
        openStreams--;
        maybeSettle();
      });
    };
    watch(stdout);
    watch(stderr);

    const kill = () => {
      if (killing) return; // The timer and the abort listener are removed at exit.
      killing = terminateWithGrace({ terminate: (signal) => terminate(signal, pid), isAlive: () => isAlive(pid) }, { graceMs: options.killGraceMs, pollMs: options.pollMs })
        .catch((err: unknown) => onOutput(`slipway: could not kill the step: ${String(err)}\n`))
        .finally(() => {
          killDone = true;
          maybeSettle();
        });
    };

    const stop = armStepStop(options.timeoutMs, options.signal, kill);

    function maybeSettle() {
      if (settled || exitCode === null) return;
      if (openStreams > 0 && !drained) return;
      if (killing && !killDone) return;
      settled = true;
      clearTimeout(drainTimer);
      if (openStreams > 0) {
        // A background process still holds the pipes: keep them flowing (so it never blocks
        // or dies of SIGPIPE) but stop forwarding, and let Node exit regardless.
        for (const stream of [stdout, stderr]) if (stream instanceof Socket) stream.unref();
      }
      resolve({ exitCode, timedOut: stop.timedOut, cancelled: stop.cancelled, pid });
    }

    const finish = (code: number) => {
      if (exitCode !== null) return;
      exitCode = code;
      stop.disarm();
      drainTimer = setTimeout(() => {
        drained = true;
        maybeSettle();
      }, options.drainMs);
      maybeSettle();
    };
    void child.exited.then(({ exitCode, error }) => {
      // Spawn failures (the shell is not installed) come with exit code 127.
      if (error && pid === 0) onOutput(`slipway: cannot run ${argv[0]}: ${error.message}\n`);
      finish(exitCode);
    });
  });
}
