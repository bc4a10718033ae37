// Runs one claimed job as stages joined by a `finally`, as act's job executor composes
// them (pkg/runner/job_executor.go): pre (job-setup.ts: `if`, timeout, env, checkout, the
// executor's environment), main (the steps), post (the post steps actions registered),
// and whatever happened, the close (job-close.ts: teardown, outputs, log, result).
import type { ClaimedJob } from './protocol/wire.ts';
import type { RunStatus } from '../core/types.ts';
import { jobStatus, openJob, type JobRunnerOptions } from './job-run.ts';
import { setUpJob } from './job-setup.ts';
import { runMainSteps, runPostSteps } from './job-steps.ts';
import { closeJob } from './job-close.ts';

export async function runJob(claimed: ClaimedJob, options: JobRunnerOptions): Promise<RunStatus> {
  const job = await openJob(claimed, options);
  let status: RunStatus = 'failure';
  try {
    if (await setUpJob(job)) {
      await runMainSteps(job);
      await runPostSteps(job);
    }
  } catch (err) {
    job.state.log.line(`##[error]${(err as Error).message}`);
    job.crashed = true;
  } finally {
    status = jobStatus(job);
    await closeJob(job, status);
  }
  return status;
}
