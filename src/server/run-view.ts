// How the API shows a run: one attempt's jobs (the latest unless asked), each with its
// steps; a job a partial re-run kept shows the steps (and logs) of the attempt that ran it.
// A job has attempts of its own too: one a crash or a lost runner interrupted is listed
// (interruptedAttempts) and the steps shown are those of the job's latest attempt.
import type { Store } from '../store/store.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import { SlipwayError } from '../core/errors.ts';

/** A run by id (`run_…`) or by `<project>/<number>` / `<project>#<number>`. */
export async function findRun(store: Store, ref: string): Promise<Run> {
  const m = /^([^/#]+)[/#](\d+)$/.exec(ref);
  if (m) {
    const project = await store.projects.require(m[1]!);
    const run = await store.runs.byNumber(project.id, Number(m[2]));
    if (!run) throw new SlipwayError('RUN_UNKNOWN', `run ${m[1]}#${m[2]} not found`);
    return run;
  }
  return store.runs.require(ref);
}

/** `?attempt=N` → N, checked against the run's attempts; absent → the latest. */
export function attemptParam(run: Run, value: string | null): number {
  if (value === null) return run.attempt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > run.attempt) throw new SlipwayError('BAD_REQUEST', `attempt must be 1..${run.attempt}, got ${JSON.stringify(value)}`);
  return n;
}

/** `?attempt=N` of one job's log → N, checked against the job's attempts; absent → the latest. */
export function jobAttemptParam(job: Job, value: string | null): number {
  if (value === null) return job.attempt;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > job.attempt) throw new SlipwayError('BAD_REQUEST', `attempt must be 1..${job.attempt} (the job's attempts), got ${JSON.stringify(value)}`);
  return n;
}

/** The job whose steps and logs a row shows (itself, or the earlier row a re-run kept). */
export const logJobId = (j: Job) => j.reused_from ?? j.id;

export async function runView(store: Store, run: Run, attempt = run.attempt) {
  const project = await store.projects.byId(run.project_id);
  const jobs = await store.runs.jobs(run.id, attempt);
  // Each job's attempts and steps, read for all the jobs at once (a 100-job run: 2 queries, not 200).
  const shown = [...new Set(jobs.map(logJobId))];
  const interrupted = await store.runs.interruptedAttemptsOf(shown);
  const steps = await store.runs.stepsOf(shown);
  return {
    id: run.id,
    project: project?.name,
    number: run.number,
    workflow: run.workflow,
    name: run.name,
    title: run.title ?? run.name,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    status: attempt === run.attempt ? run.status : attemptStatus(jobs),
    error: run.error,
    attempt,
    attempts: run.attempt,
    inputs: run.inputs ? (JSON.parse(run.inputs) as Record<string, unknown>) : {},
    concurrencyGroup: run.concurrency_group,
    pending: run.concurrency_state === 'pending' && run.status === 'queued',
    createdAt: run.created_at,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    jobs: jobs.map((j) => ({
      id: j.id,
      key: j.key,
      name: j.name,
      needs: JSON.parse(j.needs) as string[],
      status: j.status,
      attempt: j.attempt,
      runAttempt: j.run_attempt,
      reusedFrom: j.reused_from,
      matrix: j.matrix ? (JSON.parse(j.matrix) as Record<string, unknown>) : null,
      error: j.error,
      // The environment whose approval gate the job waits (or waited) at; approve with POST …/jobs/:job/approvals.
      gateEnvironment: j.gate_environment,
      // While queued with no online runner offering its labels: what it waits for (scheduler/runner-waits.ts).
      waitingFor: j.status === 'queued' ? j.runner_wait : null,
      runsOn: JSON.parse(j.runs_on) as string[],
      outputs: j.outputs ? JSON.parse(j.outputs) : {},
      startedAt: j.started_at,
      finishedAt: j.finished_at,
      // Earlier attempts of this job that a crash or a lost runner ended (their logs: GET …/jobs/:job/logs?attempt=N).
      interruptedAttempts: (interrupted.get(logJobId(j)) ?? []).map((a) => ({ attempt: a.attempt, status: a.status, reason: a.reason, startedAt: a.started_at, finishedAt: a.finished_at })),
      steps: (steps.get(logJobId(j)) ?? []).filter((s) => s.attempt === j.attempt).map((s) => ({ number: s.number, name: s.name, status: s.status, exitCode: s.exit_code, startedAt: s.started_at, finishedAt: s.finished_at })),
    })),
    releases: (await store.releases.forRun(run.id)).map((r) => ({ id: r.id, image: r.image, digest: r.digest })),
    // The commit each remote `uses:` resolved to: `job` is the job key that ran it, null for the planner's (reusable workflows).
    actions: (await store.runActions.forRun(run.id)).map((a) => ({ uses: a.uses, sha: a.sha, source: a.source, job: a.jobId === undefined ? null : (jobs.find((j) => j.id === a.jobId)?.key ?? a.jobId) })),
  };
}

/** The conclusion of an earlier attempt, from its jobs. */
function attemptStatus(jobs: Job[]): string {
  if (jobs.some((j) => j.status === 'failure')) return 'failure';
  if (jobs.some((j) => j.status === 'cancelled')) return 'cancelled';
  return 'success';
}
