// Runs one step's process and owns its life cycle: streams output, enforces the timeout and
// the cancel signal by killing everything the step started (SIGTERM, then SIGKILL after a
// grace period), and resolves once the process exited and its output is drained.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { OutputSink } from '../../core/types.ts';
import type { StepOutcome } from '../executor.ts';

export type KillSignal = 'SIGTERM' | 'SIGKILL';

export interface StepProcessOptions {
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

export interface StepProcessResult extends StepOutcome {
  /** Pid (and process group id) of the spawned process; 0 when it never started. */
  pid: number;
}

export function signalGroup(pid: number, signal: KillSignal | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone.
  }
}

/**
 * Whether a process group has a member that is not a zombie. `kill(-pgid, 0)` succeeds
 * while only zombies remain, and a zombie reparented to a PID 1 that reaps late (as in
 * some sandboxes) would otherwise hold a job's clean-up for the whole kill grace period.
 * Reads /proc; where there is none, falls back to the signal check.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  const { argv, onOutput } = options;
  if (options.signal?.aborted) return Promise.resolve({ exitCode: 143, timedOut: false, cancelled: true, pid: 0 });
  const terminate = options.terminate ?? (async (signal, pid) => void signalGroup(pid, signal));
  const isAlive = options.isAlive ?? (async (pid) => groupAlive(pid));

  return new Promise((resolve) => {
    // detached: the step leads its own process group, so one kill(-pid) reaches its children.
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid ?? 0;
    let timedOut = false;
    let cancelled = false;
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
    watch(child.stdout);
    watch(child.stderr);

    const kill = () => {
      if (killing) return; // The timer and the abort listener are removed at exit.
      killing = (async () => {
        await terminate('SIGTERM', pid);
        const deadline = Date.now() + options.killGraceMs;
        while (Date.now() < deadline) {
          if (!(await isAlive(pid))) return;
          await delay(Math.min(options.pollMs ?? 20, Math.max(0, deadline - Date.now())));
        }
        if (await isAlive(pid)) await terminate('SIGKILL', pid);
      })()
        .catch((err: unknown) => onOutput(`slipway: could not kill the step: ${String(err)}\n`))
        .finally(() => {
          killDone = true;
          maybeSettle();
        });
    };

    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function maybeSettle() {
      if (settled || exitCode === null) return;
      if (openStreams > 0 && !drained) return;
      if (killing && !killDone) return;
      settled = true;
      clearTimeout(drainTimer);
      if (openStreams > 0) {
        // A background process still holds the pipes: keep them flowing (so it never blocks
        // or dies of SIGPIPE) but stop forwarding, and let Node exit regardless.
        for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
      }
      resolve({ exitCode, timedOut, cancelled, pid });
    }

    const finish = (code: number) => {
      if (exitCode !== null) return;
      exitCode = code;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      drainTimer = setTimeout(() => {
        drained = true;
        maybeSettle();
      }, options.drainMs);
      maybeSettle();
    };
    child.on('exit', (code, signal) => {
      finish(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
    child.on('error', (err) => {
      // Spawn failures (the shell is not installed) arrive here without an 'exit'.
      onOutput(`slipway: cannot run ${argv[0]}: ${err.message}\n`);
      finish(127);
    });
  });
}
