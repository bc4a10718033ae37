// One `run:` step through the supervisor, with the life cycle a host step has
// (step-process.ts): output streamed from the step's FIFO, the timeout and the cancel
// signal kill the step's session inside the container (TERM, then KILL after the grace
// period), and the step is over once its shell exited and its output is drained.
import { armStepStop, signalTracked, trackedProcesses } from '../step-stop.ts';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { OutputSink } from '../../../core/types.ts';
import { terminateWithGrace } from '../../../exec/kill.ts';
import type { StepOutcome } from '../../executor.ts';
import type { SupervisorChannel } from './supervisor-channel.ts';

interface SupervisedStepOptions {
  channel: SupervisorChannel;
  n: number;
  /** Step N's output FIFO (host path). */
  fifo: string;
  /** The step's SLIPWAY_TRACKING_ID (step-stop.ts): reaches what left the step's session. */
  tracking: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput: OutputSink;
  killGraceMs: number;
  /** How long to read output a background process holds open after the shell exited. */
  drainMs: number;
  /** Receives the output stream when a background process still holds it at the end. */
  linger: (stream: Socket) => void;
}

export async function runSupervisedStep(o: SupervisedStepOptions): Promise<StepOutcome> {
  // The keeper is a writer of our own: the reader sees no end before the step opened the
  // FIFO, and sees the real end (every writer gone) once the keeper is closed at exit.
  let keeper: number | undefined = openSync(o.fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const reader = new Socket({ fd: openSync(o.fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  let settled = false;
  reader.setEncoding('utf8');
  reader.on('data', (text: string) => {
    if (!settled) o.onOutput(text);
  });
  const ended = new Promise<void>((resolve) => {
    reader.on('close', () => resolve());
    reader.on('error', () => resolve()); // Reported as the step's outcome; nothing more to read.
  });
  const releaseKeeper = () => {
    if (keeper !== undefined) closeSync(keeper);
    keeper = undefined;
  };

  let killing: Promise<void> | undefined;
  const kill = () => {
    killing ??= terminateWithGrace({
      terminate: async (signal) => {
        o.channel.kill(o.n, signal === 'SIGTERM' ? 'TERM' : 'KILL');
        await signalTracked(o.tracking, signal);
      },
      isAlive: async () => (await o.channel.alive(o.n)) || (await trackedProcesses(o.tracking)).length > 0,
    }, { graceMs: o.killGraceMs, pollMs: 50 }).catch((err: unknown) => o.onOutput(`slipway: could not kill the step: ${String(err)}\n`));
  };
  const stop = armStepStop(o.timeoutMs, o.signal, kill);

  try {
    const exitCode = await o.channel.run(o.n);
    stop.disarm();
    releaseKeeper();
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, o.drainMs)))]);
    clearTimeout(drainTimer);
    await killing;
    return { exitCode, timedOut: stop.timedOut, cancelled: stop.cancelled };
  } finally {
    settled = true;
    stop.disarm();
    releaseKeeper();
    // A background process (`server &`) still holds the FIFO: keep it flowing, so the
    // process never blocks or dies of SIGPIPE, until the job container goes.
    if (!reader.destroyed) {
      reader.unref();
      o.linger(reader);
    }
  }
}
