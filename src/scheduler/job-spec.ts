// Where a job row's spec lives: the run's workflow, or the called reusable workflow for a
// job of one (docs "Reusing workflows"). The stored plan holds both.
import type { Job, Run } from '../store/repos/runs.ts';
import type { JobSpec, Workflow } from '../workflow/model.ts';
import type { StoredPlan } from './stored-plan.ts';
import { SlipwayError } from '../core/errors.ts';

export function storedPlanOf(run: Run): StoredPlan {
  if (!run.plan) throw new SlipwayError('INTERNAL', `run ${run.id} has no stored plan`);
  return JSON.parse(run.plan) as StoredPlan;
}

/** The workflow a job's spec is in. */
function workflowOf(stored: StoredPlan, job: Pick<Job, 'called_workflow'>): Workflow {
  if (!job.called_workflow) return stored.workflow;
  const called = stored.plan.called?.[job.called_workflow];
  if (!called) throw new SlipwayError('INTERNAL', `called workflow ${job.called_workflow} missing from the stored plan`);
  return called;
}

export function jobIdOf(job: Pick<Job, 'job_id' | 'key'>): string {
  return job.job_id ?? job.key.split(' ')[0]!;
}

export function specOf(stored: StoredPlan, job: Job): { spec: JobSpec; workflow: Workflow } {
  const workflow = workflowOf(stored, job);
  const id = jobIdOf(job);
  const spec = workflow.jobs.find((j) => j.id === id);
  if (!spec) throw new SlipwayError('INTERNAL', `job ${job.key} missing from the stored plan of run ${job.run_id}`);
  return { spec, workflow };
}

/** The legs of the same matrix job in the same attempt (one for a job without a matrix). */
export function legsOf(job: Job, jobs: Job[]): Job[] {
  return jobs.filter((j) => jobIdOf(j) === jobIdOf(job) && j.caller === job.caller && j.called_workflow === job.called_workflow && j.run_attempt === job.run_attempt);
}
