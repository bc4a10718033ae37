import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../schema.ts';
import type { JobAttemptsTable, JobsTable, RunsTable, StepsTable } from '../schema.ts';
import type { RunStatus } from '../../core/types.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';
import { nextGithubRunNumbers, nextNumber } from './numbering.ts';
import { requireRow } from './require-row.ts';
import { claimableJobs, claimQueuedJob } from './job-queue.ts';

export type Run = RunsTable;
export type Job = JobsTable;
export type Step = StepsTable;
export type JobAttempt = JobAttemptsTable;

/** A job row to insert: a planned job, a matrix leg, or a job a re-run copies or keeps. */
export interface NewJob {
  key: string;
  name: string;
  needs: string[];
  runsOn: string[];
  /** The job's id under `jobs:` (defaults to the key). */
  jobId?: string;
  matrix?: Record<string, unknown>;
  deferredMatrix?: boolean;
  workflow?: string;
  caller?: string;
  /** A kept job of a partial re-run: copied with this job's result (and steps/logs by reference). */
  reuse?: Job;
}

export interface NewRun {
  projectId: string;
  workflow: string;
  name: string;
  event: string;
  ref: string;
  sha: string;
  /** Set when the workflow is invalid: the run is created already failed. */
  error?: string;
  plan?: unknown;
  /** `run-name`, evaluated. */
  title?: string;
  eventPayload?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  concurrencyGroup?: string;
  /** The push event that started it (at most one run per event and workflow file). */
  pushEventId?: string;
  /** What the trigger knew for the `github` context (scheduler/contexts.ts TriggerFacts). */
  githubTrigger?: Record<string, unknown>;
  jobs: NewJob[];
  /**
   * Decides what depends on the run's numbers (`run-name`, `concurrency` and `runs-on` may
   * use `github.run_id` and `github.run_number`), inside the transaction that assigns them. An
   * `error` records the run as failed, without plan or jobs.
   */
  decide?: (numbers: RunNumbers) => Partial<Pick<NewRun, 'title' | 'concurrencyGroup' | 'error' | 'jobs'>>;
}

/** A new run's numbers: Slipway's per project (hello#3), GITHUB_RUN_ID and GITHUB_RUN_NUMBER (0022). */
export interface RunNumbers {
  number: number;
  githubRunId: number;
  workflowNumber: number;
}

/** Every column of a run but its plan (runs.get leaves the plan out once it holds it). */
const runColumnsButPlan = [
  'id', 'project_id', 'number', 'workflow', 'name', 'event', 'ref', 'sha', 'status', 'error', 'created_at', 'started_at', 'finished_at', 'attempt', 'title',
  'event_payload', 'inputs', 'concurrency_group', 'concurrency_state', 'cancel_requested', 'push_event_id', 'github_run_id', 'workflow_number', 'github_trigger',
] as const satisfies readonly Exclude<keyof RunsTable, 'plan'>[];

/** The plans runs.get keeps (they never change): the most recently read runs'. */
const keptPlans = 200;

export function runsRepo(db: Db) {
  const plans = new Map<string, string>();
  const keepPlan = (id: string, plan: string) => {
    plans.delete(id);
    plans.set(id, plan);
    if (plans.size > keptPlans) plans.delete(plans.keys().next().value!);
  };
  return {
    /** Creates the run and its jobs in one transaction: no half-created run is ever visible. */
    async create(given: NewRun): Promise<Run> {
      return db.transaction().execute(async (tx) => {
        const number = await nextNumber(tx, 'runs', given.projectId);
        const github = await nextGithubRunNumbers(tx, given.projectId, given.workflow);
        const decided = given.decide?.({ number, ...github }) ?? {};
        const input: NewRun = { ...given, ...decided, ...(decided.error ? { plan: undefined, jobs: [] } : {}) };
        const t = now();
        const run: Run = {
          id: newId('run'),
          project_id: input.projectId,
          number,
          workflow: input.workflow,
          name: input.name,
          event: input.event,
          ref: input.ref,
          sha: input.sha,
          status: input.error ? 'failure' : 'queued',
          error: input.error ?? null,
          plan: input.plan === undefined ? null : JSON.stringify(input.plan),
          created_at: t,
          started_at: null,
          finished_at: input.error ? t : null,
          attempt: 1,
          title: input.title ?? null,
          event_payload: input.eventPayload ? JSON.stringify(input.eventPayload) : null,
          inputs: input.inputs ? JSON.stringify(input.inputs) : null,
          concurrency_group: input.concurrencyGroup ?? null,
          concurrency_state: input.concurrencyGroup ? 'pending' : null,
          cancel_requested: 0,
          push_event_id: input.pushEventId ?? null,
          github_run_id: github.githubRunId,
          workflow_number: github.workflowNumber,
          github_trigger: input.githubTrigger ? JSON.stringify(input.githubTrigger) : null,
        };
        await tx.insertInto('runs').values(run).execute();
        await insertJobs(tx, run.id, 1, 0, input.jobs);
        return run;
      });
    },
    /** Workflow files that already have a run from this push event. */
    async workflowsOfPushEvent(pushEventId: string): Promise<Set<string>> {
      const rows = await db.selectFrom('runs').select('workflow').where('push_event_id', '=', pushEventId).execute();
      return new Set(rows.map((r) => r.workflow));
    },
    async get(id: string): Promise<Run | undefined> {
      // A run's plan (its whole workflow, tens of KB for a large one) is written once, at
      // creation, and never changed: once read it is kept here, and later reads leave it out.
      // Every claim and every job's end read the run, so this is most of their bytes.
      const plan = plans.get(id);
      if (plan === undefined) {
        const run = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
        if (run?.plan) keepPlan(id, run.plan);
        return run;
      }
      const run = await db.selectFrom('runs').select(runColumnsButPlan).where('id', '=', id).executeTakeFirst();
      return run && { ...run, plan };
    },
    async require(id: string): Promise<Run> {
      return requireRow(await this.get(id), 'RUN_UNKNOWN', 'run', id);
    },
    async byNumber(projectId: string, number: number): Promise<Run | undefined> {
      return db.selectFrom('runs').selectAll().where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
    },
    async list(options: { projectId?: string; limit?: number } = {}): Promise<Run[]> {
      let q = db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('number', 'desc');
      if (options.projectId) q = q.where('project_id', '=', options.projectId);
      return q.limit(options.limit ?? 50).execute();
    },
    async update(id: string, fields: Partial<Omit<Run, 'id' | 'project_id' | 'number'>>): Promise<void> {
      await db.updateTable('runs').set(fields).where('id', '=', id).execute();
    },
    /**
     * Finishes a run if it is still queued or running (compare-and-set): when two jobs end at
     * once and both see "all done", exactly one caller wins and reports the run finished.
     */
    async finish(id: string, status: RunStatus, finishedAt: string): Promise<boolean> {
      const r = await db.updateTable('runs').set({ status, finished_at: finishedAt }).where('id', '=', id).where('status', 'in', ['queued', 'waiting', 'running']).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Unfinished runs of a project's concurrency group, oldest first. */
    async inGroup(projectId: string, group: string): Promise<Run[]> {
      return unfinishedInGroup(db.selectFrom('runs').selectAll(), 'runs', projectId, group).orderBy('number').execute();
    },
    /**
     * A new attempt of a run (re-run): the attempt number goes up, the run is queued again
     * and gets a full set of job rows; earlier attempts' rows stay as they were.
     */
    async newAttempt(runId: string, jobs: NewJob[]): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const run = await tx.selectFrom('runs').select(['attempt']).where('id', '=', runId).executeTakeFirstOrThrow();
        const attempt = run.attempt + 1;
        await tx
          .updateTable('runs')
          .set({ attempt, status: 'queued', finished_at: null, error: null, cancel_requested: 0 })
          .where('id', '=', runId)
          .execute();
        await insertJobs(tx, runId, attempt, 0, jobs);
        return attempt;
      });
    },
    /**
     * Replaces a job waiting for its matrix (an expression over `needs`) by its legs, and
     * rewires the jobs that needed it to need every leg, in one transaction: a claim never
     * sees the placeholder gone without its legs. False when it was expanded already.
     */
    async expandDeferred(placeholder: Job, legs: NewJob[]): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const gone = await tx.deleteFrom('jobs').where('id', '=', placeholder.id).where('deferred_matrix', '=', 1).where('status', '=', 'queued').executeTakeFirst();
        if (Number(gone.numDeletedRows) === 0) return false;
        const siblings = await tx.selectFrom('jobs').selectAll().where('run_id', '=', placeholder.run_id).where('run_attempt', '=', placeholder.run_attempt).execute();
        for (const j of siblings) {
          const needs: string[] = JSON.parse(j.needs);
          const shift = j.position > placeholder.position ? legs.length - 1 : 0;
          const rewired = needs.includes(placeholder.key) ? needs.flatMap((k) => (k === placeholder.key ? legs.map((l) => l.key) : [k])) : undefined;
          if (shift === 0 && !rewired) continue;
          await tx
            .updateTable('jobs')
            .set({ position: j.position + shift, ...(rewired ? { needs: JSON.stringify(rewired) } : {}) })
            .where('id', '=', j.id)
            .execute();
        }
        await insertJobs(tx, placeholder.run_id, placeholder.run_attempt, placeholder.position, legs);
        return true;
      });
    },
    /** Sets an unfinished run's status (queued/waiting/running); false once it has finished. */
    async setActiveStatus(id: string, status: 'queued' | 'waiting' | 'running'): Promise<boolean> {
      const r = await db.updateTable('runs').set({ status }).where('id', '=', id).where('status', 'in', ['queued', 'waiting', 'running']).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async unfinished(): Promise<Run[]> {
      return db.selectFrom('runs').selectAll().where('status', 'in', ['queued', 'waiting', 'running']).execute();
    },

    // Jobs
    /** The jobs of one attempt of a run: the latest unless `attempt` is given. */
    async jobs(runId: string, attempt?: number): Promise<Job[]> {
      let q = db.selectFrom('jobs').selectAll().where('run_id', '=', runId);
      q =
        attempt === undefined
          ? q.where('run_attempt', '=', (eb) => eb.selectFrom('runs').select('attempt').where('runs.id', '=', runId))
          : q.where('run_attempt', '=', attempt);
      return q.orderBy('position').orderBy('key').execute();
    },
    /** Unfinished jobs of a project's concurrency group, oldest first. */
    async jobsInGroup(projectId: string, group: string): Promise<Job[]> {
      const jobs = db.selectFrom('jobs').innerJoin('runs', 'runs.id', 'jobs.run_id').selectAll('jobs');
      return unfinishedInGroup(jobs, 'jobs', projectId, group).orderBy('jobs.position').execute();
    },
    async setJob(id: string, fields: Partial<Omit<Job, 'id' | 'run_id'>>): Promise<void> {
      await db.updateTable('jobs').set(fields).where('id', '=', id).execute();
    },
    async job(id: string): Promise<Job | undefined> {
      return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async queuedJobs(): Promise<Job[]> {
      return db.selectFrom('jobs').selectAll().where('status', '=', 'queued').orderBy('created_at').orderBy('position').execute();
    },
    /** A page of the queued jobs a runner offering `labels` may be handed, oldest first (job-queue.ts). */
    /** Marks queued jobs as having every need finished at `at` (0029): from now on the claim's query looks at them. */
    async markReady(ids: readonly string[], at: string): Promise<void> {
      if (ids.length > 0) await db.updateTable('jobs').set({ ready_at: at }).where('id', 'in', ids).where('status', '=', 'queued').execute();
    },
    claimableJobs: (labels: readonly string[], page: { limit: number; offset: number }): Promise<Job[]> => claimableJobs(db, labels, page),
    /** The claim's compare-and-set, queued → running (job-queue.ts: row-locked on PostgreSQL). */
    claimQueuedJob: (id: string, fields: Partial<Job>): Promise<boolean> => claimQueuedJob(db, id, fields),
    /** Jobs waiting at an environment's approval gate, oldest first. */
    async waitingJobs(): Promise<Job[]> {
      return db.selectFrom('jobs').selectAll().where('status', '=', 'waiting').orderBy('created_at').orderBy('position').execute();
    },
    /** How many runs and jobs are in each status (the /metrics gauges): one grouped count each. */
    async countByStatus(): Promise<{ runs: Partial<Record<RunStatus, number>>; jobs: Partial<Record<RunStatus, number>> }> {
      const count = async (table: 'runs' | 'jobs') => {
        const rows = await db.selectFrom(table).select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<RunStatus, number>>;
      };
      return { runs: await count('runs'), jobs: await count('jobs') };
    },
    async runningJobs(): Promise<Job[]> {
      return db.selectFrom('jobs').selectAll().where('status', '=', 'running').execute();
    },
    /**
     * Compare-and-set on the job's status: the claim or transition happens only if the job is
     * still in `from`. Two runners can never both win a job.
     */
    async transitionJob(id: string, from: RunStatus[], fields: Partial<Job>): Promise<boolean> {
      const r = await db.updateTable('jobs').set(fields).where('id', '=', id).where('status', 'in', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /**
     * Renews the lease of its holder. A job asked to stop (cancel) is not renewed: a runner
     * that missed the cancel event learns it at its next heartbeat.
     */
    async renewLease(id: string, runner: string, until: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({ lease_expires_at: until })
        .where('id', '=', id)
        .where('runner', '=', runner)
        .where('status', '=', 'running')
        .where('cancel_requested', '=', 0)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /**
     * Ends the attempt of a running job whose lease ran out (a dead runner, a crashed server):
     * `fields` either queue it again as the next attempt or finish it. The expiry is checked
     * in the same UPDATE, so a heartbeat that renewed the lease meanwhile wins and the job
     * stays; the ended attempt is recorded in the same transaction.
     */
    async endExpiredAttempt(job: Job, nowIso: string, reason: string, fields: Partial<Job>): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const r = await tx
          .updateTable('jobs')
          .set(fields)
          .where('id', '=', job.id)
          .where('status', '=', 'running')
          .where('attempt', '=', job.attempt)
          .where('runner', '=', job.runner)
          .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', nowIso)]))
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await tx.insertInto('job_attempts').values({ job_id: job.id, attempt: job.attempt, status: 'interrupted', reason, started_at: job.started_at, finished_at: nowIso }).execute();
        return true;
      });
    },
    /** The attempts of a job that ended without the job ending, oldest first. */
    async interruptedAttempts(jobId: string): Promise<JobAttempt[]> {
      return db.selectFrom('job_attempts').selectAll().where('job_id', '=', jobId).orderBy('attempt').execute();
    },
    /** `interruptedAttempts` of many jobs (a run's view: one query, not one a job), by job id. */
    async interruptedAttemptsOf(jobIds: readonly string[]): Promise<Map<string, JobAttempt[]>> {
      return byJob(await inBatches(jobIds, (ids) => db.selectFrom('job_attempts').selectAll().where('job_id', 'in', ids).orderBy('job_id').orderBy('attempt').execute()));
    },

    // Steps
    /**
     * A runner's step record (started, or skipped), written only while `runner` holds the job
     * and only once per number in the attempt (a retried call): the hold check, the
     * once-check and the write are one statement. The step, or undefined when nothing was
     * written (the runner does not hold the job, or the step is there already).
     */
    async addHeldStep(held: { jobId: string; runner: string }, attempt: number, number: number, name: string, status: 'running' | 'skipped'): Promise<Step | undefined> {
      const t = now();
      const step: Step = { id: newId('stp'), job_id: held.jobId, attempt, number, name, status, exit_code: null, started_at: t, finished_at: status === 'skipped' ? t : null };
      const r = await sql`insert into steps (id, job_id, attempt, number, name, status, exit_code, started_at, finished_at)
        select cast(${step.id} as text), cast(${step.job_id} as text), cast(${attempt} as integer), cast(${number} as integer), cast(${name} as text),
          cast(${status} as text), cast(null as integer), cast(${t} as text), cast(${step.finished_at} as text)
        where exists (select 1 from jobs where id = ${held.jobId} and runner = ${held.runner})
          and not exists (select 1 from steps where job_id = ${held.jobId} and attempt = ${attempt} and number = ${number})`.execute(db);
      return Number(r.numAffectedRows ?? 0n) > 0 ? step : undefined;
    },
    /** The step numbered so in one attempt of a job. */
    async stepNumbered(jobId: string, attempt: number, number: number): Promise<Step | undefined> {
      return db.selectFrom('steps').selectAll().where('job_id', '=', jobId).where('attempt', '=', attempt).where('number', '=', number).executeTakeFirst();
    },
    async step(id: string): Promise<Step | undefined> {
      return db.selectFrom('steps').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Ends a step of a job `runner` holds, the hold checked in the same statement; false when nothing was written. */
    async finishHeldStep(id: string, runner: string, status: RunStatus, exitCode: number | null): Promise<boolean> {
      const r = await db
        .updateTable('steps')
        .set({ status, exit_code: exitCode, finished_at: now() })
        .where('id', '=', id)
        .where((eb) => eb.exists(eb.selectFrom('jobs').select(sql.lit(1).as('one')).whereRef('jobs.id', '=', 'steps.job_id').where('jobs.runner', '=', runner)))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** The steps of one attempt of a job (each attempt keeps its own). */
    async steps(jobId: string, attempt: number): Promise<Step[]> {
      return db.selectFrom('steps').selectAll().where('job_id', '=', jobId).where('attempt', '=', attempt).orderBy('number').execute();
    },
    /** The steps of many jobs, every attempt's, by job id, in attempt then number order (a run's view). */
    async stepsOf(jobIds: readonly string[]): Promise<Map<string, Step[]>> {
      return byJob(await inBatches(jobIds, (ids) => db.selectFrom('steps').selectAll().where('job_id', 'in', ids).orderBy('job_id').orderBy('attempt').orderBy('number').execute()));
    },
  };
}

/** Ids a statement names at most (a `where … in`): well under SQLite's and PostgreSQL's limits on parameters. */
const idBatch = 500;

async function inBatches<T>(ids: readonly string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < ids.length; i += idBatch) rows.push(...(await read(ids.slice(i, i + idBatch))));
  return rows;
}

function byJob<T extends { job_id: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const of = out.get(row.job_id);
    if (of) of.push(row);
    else out.set(row.job_id, [row]);
  }
  return out;
}

/** Inserts job rows of one attempt at positions from `position` on. */
/** Rows a statement inserts at most: 30 columns each stays under SQLite's and PostgreSQL's limits on parameters. */
const insertBatch = 200;

async function insertJobs(tx: Transaction<Database>, runId: string, attempt: number, position: number, jobs: NewJob[]): Promise<void> {
  const t = now();
  // Needs kept from an earlier attempt have finished; any other waits for the run's advance.
  const finished = new Set(jobs.filter((j) => j.reuse).map((j) => j.key));
  const rows = jobs.map((j, i) => {
    const kept = j.reuse;
    return {
      id: newId('job'),
      run_id: runId,
      key: j.key,
      position: position + i,
      name: j.name,
      needs: JSON.stringify(j.needs),
      runs_on: JSON.stringify(j.runsOn),
      status: kept?.status ?? 'queued',
      runner: kept?.runner ?? null,
      lease_expires_at: null,
      attempt: kept?.attempt ?? 1,
      error: kept?.error ?? null,
      outputs: kept?.outputs ?? null,
      created_at: t,
      started_at: kept?.started_at ?? null,
      finished_at: kept?.finished_at ?? null,
      run_attempt: attempt,
      job_id: j.jobId ?? j.key,
      matrix: j.matrix ? JSON.stringify(j.matrix) : null,
      deferred_matrix: j.deferredMatrix ? 1 : 0,
      called_workflow: j.workflow ?? null,
      caller: j.caller ?? null,
      concurrency_group: kept?.concurrency_group ?? null,
      concurrency_state: kept ? kept.concurrency_state : null,
      cancel_requested: 0,
      reused_from: kept ? (kept.reused_from ?? kept.id) : null,
      waiting_since: null,
      gate_environment: null,
      ready_at: j.needs.every((k) => finished.has(k)) ? t : null,
    };
  });
  // Many rows a statement: a run of 100 jobs was 100 round trips inside its transaction (PostgreSQL).
  for (let i = 0; i < rows.length; i += insertBatch) await tx.insertInto('jobs').values(rows.slice(i, i + insertBatch)).execute();
}

/**
 * The one concurrency-group query, for runs and for jobs: `table`'s unfinished rows in the
 * group, of the project's runs, oldest first (the caller adds its tie-break).
 */
function unfinishedInGroup<TB extends 'runs' | 'jobs', O>(q: SelectQueryBuilder<Database, TB | 'runs', O>, table: TB, projectId: string, group: string) {
  return q
    .where(sql.ref('runs.project_id'), '=', projectId)
    .where(sql.ref(`${table}.concurrency_group`), '=', group)
    .where(sql.ref(`${table}.status`), 'in', ['queued', 'waiting', 'running'])
    .orderBy(sql.ref(`${table}.created_at`));
}
