// Log stream names (`job:<id>[:<attempt>]`, `deployment:<id>`) and when a stream has ended.
import { isDeploymentFinished, isFinished } from '../../core/types.ts';
import type { Db } from '../database.ts';

/**
 * The log stream of one attempt of a job: attempt 1 is `job:<id>` (as before attempts had
 * streams of their own), a re-run after a crash or a lost runner `job:<id>:<attempt>`.
 */
export function jobLogStream(jobId: string, attempt: number): string {
  return attempt <= 1 ? `job:${jobId}` : `job:${jobId}:${attempt}`;
}

/** The job and attempt of a job log stream; undefined for other streams. */
export function parseJobLogStream(stream: string): { jobId: string; attempt: number } | undefined {
  const m = /^job:([^:]+)(?::(\d+))?$/.exec(stream);
  return m ? { jobId: m[1]!, attempt: m[2] === undefined ? 1 : Number(m[2]) } : undefined;
}

/** Whether a log stream can get no more chunks: its job attempt or deployment has ended (or is gone, or was never one). */
export async function streamEnded(db: Db, stream: string): Promise<boolean> {
  const job = parseJobLogStream(stream);
  if (job) {
    const row = await db.selectFrom('jobs').select(['status', 'attempt']).where('id', '=', job.jobId).executeTakeFirst();
    // An attempt's log ends with the job, or when a later attempt replaced it.
    return !row || isFinished(row.status) || row.attempt > job.attempt;
  }
  const deployment = /^deployment:(.+)$/.exec(stream);
  const row = deployment && (await db.selectFrom('deployments').select('status').where('id', '=', deployment[1]!).executeTakeFirst());
  return !row || isDeploymentFinished(row.status);
}
