// "A runner acts only on jobs it holds": the one check, for the in-process API (which
// makes it inside its writes where it can, and calls this to say why one was refused) and
// the HTTP routes that read before they act.
import type { Store } from '../../store/store.ts';
import type { Job } from '../../store/repos/runs.ts';
import { SlipwayError } from '../../core/errors.ts';

/** The job, when `runner` holds it (it claimed it and no one took it since); else JOB_UNKNOWN or LEASE_LOST. */
export async function requireHeld(store: Store, runner: string, jobId: string): Promise<Job> {
  const job = await store.runs.job(jobId);
  if (!job) throw new SlipwayError('JOB_UNKNOWN', `job ${jobId} not found`);
  if (job.runner !== runner) throw new SlipwayError('LEASE_LOST', `runner ${runner} does not hold job ${jobId}${job.runner ? ` (runner ${job.runner} does)` : ''}: its lease ran out or it was never claimed`);
  return job;
}
