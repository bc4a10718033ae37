// The end of a job attempt that did not end the job (issue 10 item 5): its runner stopped
// reporting (lost lease) or the server that ran it crashed or stopped. The attempt's log is
// kept and closed: every open `##[group]` is ended and a marker line says what happened; the
// job then runs again as the next attempt, with a log and steps of its own, unless its
// workflow says it is not safe to repeat (`retry-on-crash: false`), when it fails instead.
import type { Store } from '../store/store.ts';
import type { Job } from '../store/repos/runs.ts';
import type { EventBus } from '../core/events.ts';
import { jobLogStream } from '../store/repos/logs.ts';

/** Why an attempt was interrupted, as its marker line and the job's record say. */
export const interruptionReasons = {
  crash: 'interrupted by a server crash',
  shutdown: 'interrupted by a server stop (the shutdown timeout ran out)',
  lease: 'interrupted: its runner stopped reporting (the lease expired)',
  removed: 'interrupted: an admin removed its runner (slipway runners rm)',
} as const;

export type Interruption = keyof typeof interruptionReasons;

/** What becomes of the job: `retry` queues the next attempt; otherwise the job fails with this error. */
export function interruptionOutcome(cause: Interruption, retryOnCrash: boolean): { retry: true } | { retry: false; error: string } {
  return retryOnCrash ? { retry: true } : { retry: false, error: `${interruptionReasons[cause]}; retry-on-crash is false` };
}

/** Appends the closing lines to the interrupted attempt's log and ends its stream for followers. */
export async function closeAttemptLog(store: Store, events: EventBus, job: Job, marker: string): Promise<void> {
  const stream = jobLogStream(job.id, job.attempt);
  const text = `${'##[endgroup]\n'.repeat(await store.logs.openGroups(stream))}##[error]${marker}\n`;
  // A runner that lost its lease may still be sending: the next free sequence number wins.
  for (let tries = 0; tries < 3; tries++) {
    const seq = (await store.logs.lastSeq(stream)) + 1;
    if (await store.logs.append(stream, seq, text)) {
      events.emit('log', stream, seq, text);
      break;
    }
  }
  events.emit('stream-end', stream);
}
