// A step stops for one of two reasons besides ending: its timeout (`timeout-minutes`) or its
// job's cancel. Both executors (host processes, supervised container steps) arm the same
// watch and tell the two apart the same way.
import { randomUUID } from 'node:crypto';
import { isZombieStat, procPids, readProcFile } from '../../exec/proc-fs.ts';
import { signalProcess, type KillSignal } from '../../exec/kill.ts';

export interface StepStop {
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Stops watching (the step ended). */
  disarm(): void;
}

/**
 * Calls `kill` once the timeout passes or `signal` aborts, remembering which. A signal that
 * aborted already (the cancel came while the executor was still writing the step's files)
 * kills at once: an abort listener added after the abort never runs, and the step would
 * have run to its end (`sleep 600` outliving its job's cancel).
 */
export function armStepStop(timeoutMs: number | undefined, signal: AbortSignal | undefined, kill: () => void): StepStop {
  const state = { timedOut: false, cancelled: false };
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    state.timedOut = true;
    kill();
  }, timeoutMs);
  const onAbort = () => {
    state.cancelled = true;
    kill();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get timedOut() {
      return state.timedOut;
    },
    get cancelled() {
      return state.cancelled;
    },
    disarm() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Every process a step starts inherits SLIPWAY_TRACKING_ID (GitHub's runner marks a job's
 * processes the same way, with RUNNER_TRACKING_ID), so a stop reaches those that left the
 * step's session and process group (`setsid`, double forks) and were reparented out of its
 * tree. Found through /proc/<pid>/environ, which the runner (root, or the same user) can
 * read for host steps and for a rootful engine's container processes alike; a process that
 * clears its environment (`env -i`) is out of reach until the job's end.
 */
export const trackingVariable = 'SLIPWAY_TRACKING_ID';

export const newTrackingId = (): string => randomUUID();

/** Pids of the live (not zombie) processes carrying `trackingVariable=id`. */
export async function trackedProcesses(id: string): Promise<number[]> {
  const needle = Buffer.from(`\0${trackingVariable}=${id}\0`);
  const found: number[] = [];
  for (const pid of await procPids()) {
    if (pid === process.pid) continue;
    // Exited meanwhile, or another user's: not ours to stop (proc-fs.ts throws anything else).
    const environ = await readProcFile(pid, 'environ');
    if (!environ || !Buffer.concat([Buffer.from([0]), environ]).includes(needle)) continue;
    const stat = (await readProcFile(pid, 'stat'))?.toString('utf8');
    if (stat && !isZombieStat(stat)) found.push(pid);
  }
  return found;
}

/** Signals every process carrying the tracking id; returns how many there were. */
export async function signalTracked(id: string, signal: KillSignal): Promise<number> {
  const pids = await trackedProcesses(id);
  for (const pid of pids) signalProcess(pid, signal);
  return pids.length;
}
