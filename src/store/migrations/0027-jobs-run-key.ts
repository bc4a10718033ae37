// A job's needs looked up by key (issue 13 "Measure"): the claim's query (store/repos/
// job-queue.ts) checks, for each queued job, whether a job it needs in the same run attempt
// is unfinished. Without this index each check read every job of the run.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_run_attempt_key').on('jobs').columns(['run_id', 'run_attempt', 'key']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_run_attempt_key').execute();
}
