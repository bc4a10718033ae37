// Which commit each remote `uses:` of a run resolved to (migration 0021).
import type { Db } from '../database.ts';
import { now } from './time.ts';

export interface RunAction {
  /** The job that resolved it; absent for what the planner resolved (a reusable workflow). */
  jobId?: string;
  uses: string;
  sha: string;
  source: string;
}

export function runActionsRepo(db: Db) {
  return {
    /** The first resolution of `uses` in a job (or the plan) is kept: a job resolves each ref once. */
    async record(runId: string, a: RunAction): Promise<void> {
      await db
        .insertInto('run_actions')
        .values({ run_id: runId, job_id: a.jobId ?? '', uses: a.uses, sha: a.sha, source: a.source, resolved_at: now() })
        .onConflict((oc) => oc.columns(['run_id', 'job_id', 'uses']).doNothing())
        .execute();
    },
    /** The commits that runs not finished resolved: their trees may still be needed (the action cache keeps them). */
    async unfinishedShas(): Promise<Set<string>> {
      const rows = await db
        .selectFrom('run_actions')
        .innerJoin('runs', 'runs.id', 'run_actions.run_id')
        .select('run_actions.sha')
        .distinct()
        .where('runs.status', 'in', ['queued', 'waiting', 'running'])
        .execute();
      return new Set(rows.map((r) => r.sha));
    },
    async forRun(runId: string): Promise<RunAction[]> {
      const rows = await db.selectFrom('run_actions').selectAll().where('run_id', '=', runId).orderBy('resolved_at').orderBy('uses').execute();
      return rows.map((r) => ({ ...(r.job_id ? { jobId: r.job_id } : {}), uses: r.uses, sha: r.sha, source: r.source }));
    },
  };
}
