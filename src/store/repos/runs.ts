import type { Db } from '../database.ts';
import type { JobsTable, RunsTable, StepsTable } from '../schema.ts';
import type { RunStatus } from '../../core/types.ts';
import { newId } from '../../core/ids.ts';
import { SlipwayError } from '../../core/errors.ts';
import { now } from './time.ts';

export type Run = RunsTable;
export type Job = JobsTable;
export type Step = StepsTable;

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
  jobs: { key: string; name: string; needs: string[]; runsOn: string[] }[];
}

export function runsRepo(db: Db) {
  return {
    /** Creates the run and its jobs in one transaction: no half-created run is ever visible. */
    async create(input: NewRun): Promise<Run> {
      return db.transaction().execute(async (tx) => {
        const last = await tx
          .selectFrom('runs')
          .select((eb) => eb.fn.max('number').as('n'))
          .where('project_id', '=', input.projectId)
          .executeTakeFirst();
        const t = now();
        const run: Run = {
          id: newId('run'),
          project_id: input.projectId,
          number: Number(last?.n ?? 0) + 1,
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
        };
        await tx.insertInto('runs').values(run).execute();
        for (const [position, j] of input.jobs.entries()) {
          await tx
            .insertInto('jobs')
            .values({
              id: newId('job'),
              run_id: run.id,
              key: j.key,
              position,
              name: j.name,
              needs: JSON.stringify(j.needs),
              runs_on: JSON.stringify(j.runsOn),
              status: 'queued',
              runner: null,
              lease_expires_at: null,
              attempt: 1,
              error: null,
              outputs: null,
              created_at: t,
              started_at: null,
              finished_at: null,
            })
            .execute();
        }
        return run;
      });
    },
    async get(id: string): Promise<Run | undefined> {
      return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async require(id: string): Promise<Run> {
      const run = await this.get(id);
      if (!run) throw new SlipwayError('RUN_UNKNOWN', `run "${id}" not found`);
      return run;
    },
    async byNumber(projectId: string, number: number): Promise<Run | undefined> {
      return db.selectFrom('runs').selectAll().where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
    },
    async list(options: { projectId?: string; limit?: number } = {}): Promise<Run[]> {
      let q = db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('number', 'desc');
      if (options.projectId) q = q.where('project_id', '=', options.projectId);
      return q.limit(options.limit ?? 50).execute();
    },
    async update(id: string, fields: Partial<Pick<Run, 'status' | 'started_at' | 'finished_at' | 'error'>>): Promise<void> {
      await db.updateTable('runs').set(fields).where('id', '=', id).execute();
    },
    async unfinished(): Promise<Run[]> {
      return db.selectFrom('runs').selectAll().where('status', 'in', ['queued', 'running']).execute();
    },

    // Jobs
    async jobs(runId: string): Promise<Job[]> {
      return db.selectFrom('jobs').selectAll().where('run_id', '=', runId).orderBy('position').execute();
    },
    async job(id: string): Promise<Job | undefined> {
      return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async queuedJobs(): Promise<Job[]> {
      return db.selectFrom('jobs').selectAll().where('status', '=', 'queued').orderBy('created_at').orderBy('position').execute();
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
    async renewLease(id: string, runner: string, until: string): Promise<boolean> {
      const r = await db
        .updateTable('jobs')
        .set({ lease_expires_at: until })
        .where('id', '=', id)
        .where('runner', '=', runner)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    // Steps
    async createStep(jobId: string, number: number, name: string): Promise<Step> {
      const step: Step = { id: newId('stp'), job_id: jobId, number, name, status: 'running', exit_code: null, started_at: now(), finished_at: null };
      await db.insertInto('steps').values(step).execute();
      return step;
    },
    async finishStep(id: string, status: RunStatus, exitCode: number | null): Promise<void> {
      await db.updateTable('steps').set({ status, exit_code: exitCode, finished_at: now() }).where('id', '=', id).execute();
    },
    async addSkippedStep(jobId: string, number: number, name: string): Promise<void> {
      const t = now();
      await db.insertInto('steps').values({ id: newId('stp'), job_id: jobId, number, name, status: 'skipped', exit_code: null, started_at: t, finished_at: t }).execute();
    },
    async steps(jobId: string): Promise<Step[]> {
      return db.selectFrom('steps').selectAll().where('job_id', '=', jobId).orderBy('number').execute();
    },
    async deleteSteps(jobId: string): Promise<void> {
      await db.deleteFrom('steps').where('job_id', '=', jobId).execute();
    },
  };
}
