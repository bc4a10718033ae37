// What always happens at the end of a job, whatever its stages got to (runJob calls it in
// a `finally`): timers and listeners stopped, the executor's environment torn down, the
// job's outputs evaluated and masked, the log flushed, the result reported and the job's
// directory removed.
import { randomUUID } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import type { RunStatus } from '../core/types.ts';
import type { JobRun } from './job-run.ts';
import { interpolateText } from './expression-adapter.ts';
import { removeTree } from './file-tree.ts';

export async function closeJob(job: JobRun, status: RunStatus): Promise<void> {
  const { state } = job;
  const { log, spec, api } = state;
  for (const dispose of job.disposers.splice(0)) dispose();
  await state.executor.teardown().catch((err: Error) => log.line(`##[warning]cleanup: ${err.message}`));
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.outputs)) {
    try {
      outputs[k] = log.mask(interpolateText(v, state.context(job.frame), state.hashFiles));
    } catch (err) {
      log.line(`##[warning]output ${k}: ${(err as Error).message}`);
    }
  }
  if (job.interrupted) {
    // Not reported: the job keeps its lease, so the server re-queues it when that runs out
    // or when this runner starts again.
    log.line('##[warning]The runner stopped before this job finished (shutdown timeout); it will run again.');
    await log.flush().catch((err: Error) => job.onError(new Error(`job ${state.claimed.id}: log upload failed: ${err.message}`, { cause: err })));
    rmSync(job.root, { recursive: true, force: true });
    return;
  }
  log.line(`Job ${status}`);
  // The last chunk goes with the report (one request, not two).
  const rest = await log.takeRest().catch((err: Error) => job.onError(new Error(`job ${state.claimed.id}: log upload failed: ${err.message}`, { cause: err })));
  const finalStatus = status === 'failure' && job.continueOnError ? 'success' : status;
  const labels = job.next?.labels();
  const next = await api.completeJob(state.claimed.id, finalStatus, outputs, undefined, { ...(rest ? { log: rest } : {}), ...(labels ? { next: { labels } } : {}) });
  if (next) job.next!.take(next);
  // The job is over once it is reported: its folder is moved aside at once (a next attempt of
  // the job on this runner makes the same one) and removed while the runner takes the next
  // job; one a stop left behind goes at the next start (job-leftovers.ts: `job_*`).
  const removed = `${job.root}.removed-${randomUUID()}`;
  try {
    renameSync(job.root, removed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a step removed it already
    throw err;
  }
  removeTree(removed).catch((err: Error) => job.onError(new Error(`job ${state.claimed.id}: removing ${removed}: ${err.message}`, { cause: err })));
}
