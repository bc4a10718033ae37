// Which jobs a re-run runs again (docs.github.com "Re-running workflows and jobs"): all of
// them; the failed (and cancelled) ones with everything that depends on them; or one job
// with its dependants. Jobs not re-run keep their results and outputs in the new attempt.
import type { Job, NewJob } from '../store/repos/runs.ts';
import type { StoredPlan } from './stored-plan.ts';
import type { PlannedJob } from '../workflow/model.ts';
import { SlipwayError } from '../core/errors.ts';
import { jobIdOf } from './job-spec.ts';
import { keySegments } from './calls.ts';

export type RerunWhich = 'all' | 'failed' | { job: string };

/** The job row of a planned job, as a run (or a full re-run) starts with it. */
export const plannedRow = (j: PlannedJob): NewJob => ({
  key: j.key,
  name: j.name,
  needs: j.needs,
  runsOn: j.runsOn,
  jobId: j.jobId,
  matrix: j.matrix,
  deferredMatrix: j.deferredMatrix,
  workflow: j.workflow,
  caller: j.callerKey ?? j.caller,
});

const fresh = (j: Job): NewJob => ({
  key: j.key,
  name: j.name,
  needs: JSON.parse(j.needs) as string[],
  runsOn: JSON.parse(j.runs_on) as string[],
  jobId: jobIdOf(j),
  matrix: j.matrix ? (JSON.parse(j.matrix) as Record<string, unknown>) : undefined,
  deferredMatrix: j.deferred_matrix === 1,
  workflow: j.called_workflow ?? undefined,
  caller: j.caller ?? undefined,
});

/** The job rows of the next attempt, given the latest attempt's rows. */
export function rerunJobs(stored: StoredPlan, latest: Job[], which: RerunWhich): NewJob[] {
  if (which === 'all') return stored.plan.jobs.map(plannedRow);
  const seeds =
    which === 'failed'
      ? latest.filter((j) => j.status === 'failure' || j.status === 'cancelled')
      : latest.filter((j) => matchesJob(j, which.job));
  if (seeds.length === 0) {
    throw which === 'failed'
      ? new SlipwayError('CONFLICT', 'the run has no failed or cancelled jobs to re-run')
      : new SlipwayError('BAD_REQUEST', `the run has no job "${which.job}" (jobs: ${latest.map((j) => j.key).join(', ')})`);
  }
  const again = new Set(seeds.map((j) => j.key));
  // Close over dependants (a job needing a reusable-workflow call needs all its jobs).
  for (let grew = true; grew; ) {
    grew = false;
    for (const j of latest) {
      if (again.has(j.key)) continue;
      const needs: string[] = JSON.parse(j.needs);
      if (needs.some((k) => again.has(k))) {
        again.add(j.key);
        grew = true;
      }
    }
  }
  let rows = latest.map((j) => (again.has(j.key) ? fresh(j) : { ...fresh(j), deferredMatrix: false, reuse: j }));
  // A matrix computed from a job that runs again is computed again: its legs fold back into
  // the planned placeholder, and jobs needing the legs need the placeholder again.
  for (const p of stored.plan.jobs.filter((j) => j.deferredMatrix)) {
    const caller = p.callerKey ?? p.caller;
    const legs = rows.filter((r) => r.jobId === p.jobId && r.caller === caller && r.workflow === p.workflow && r.key !== p.key);
    if (legs.length === 0 || !p.needs.some((k) => again.has(k))) continue;
    const legKeys = new Set(legs.map((l) => l.key));
    const at = rows.indexOf(legs[0]!);
    rows = rows.filter((r) => !legKeys.has(r.key));
    rows.splice(at, 0, plannedRow(p));
    rows = rows.map((r) => (r.needs.some((k) => legKeys.has(k)) ? { ...r, needs: [...new Set(r.needs.map((k) => (legKeys.has(k) ? p.key : k)))] } : r));
  }
  return rows;
}

/** `build`, `build (a, b)`, or a calling job's id/key: every job of that call. */
function matchesJob(j: Job, wanted: string): boolean {
  if (j.key === wanted || (!j.caller && jobIdOf(j) === wanted)) return true;
  const first = keySegments(j.key)[0]!;
  return j.caller !== null && (first === wanted || first.split(' ')[0] === wanted);
}
