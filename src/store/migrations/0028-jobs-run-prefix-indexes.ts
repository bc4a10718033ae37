// The job indexes on `run_id` and `(run_id, run_attempt)` are prefixes of 0027's
// `(run_id, run_attempt, key)`, which serves every lookup they served. Kept, they misled
// PostgreSQL before its first ANALYZE of a table (a new installation, a burst of new jobs):
// the claim's needs check (store/repos/job-queue.ts) went through the shorter one and read
// half the run's jobs per queued job — 7.2 ms a claim with 900 jobs waiting for their
// needs, 2.6 ms through the key (bench/claim-query.ts). And every job write kept three
// indexes on run_id up to date.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_run').execute();
  await db.schema.dropIndex('jobs_run_attempt').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_run').on('jobs').column('run_id').execute();
  await db.schema.createIndex('jobs_run_attempt').on('jobs').columns(['run_id', 'run_attempt']).execute();
}
