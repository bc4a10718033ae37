// When a queued job's needs had all finished, kept on the row (issue 13 "Measure"): the
// claim's query (store/repos/job-queue.ts) looked at every queued job and each of its needs
// on every claim — 3.0 ms on PostgreSQL with 900 jobs waiting in chains, most of a job's
// database time. `ready_at` is set once the run's advance saw all of a job's needs finished
// (scheduler/progress.ts), or at creation when none is unfinished; the claim reads only
// those rows and still checks their needs, so it can only hold a job back until the
// advance that follows its last need's end, never let one run early. The time tells a claim
// whether a job became ready just now (its reporter is about to claim it: Scheduler.claim).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('ready_at', 'text').execute();
  // Jobs queued before this migration: the claim's own needs check decides for them, as it did.
  await sql`update jobs set ready_at = created_at where status = 'queued'`.execute(db);
  await db.schema.createIndex('jobs_claimable').on('jobs').columns(['status', 'ready_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_claimable').execute();
  await db.schema.alterTable('jobs').dropColumn('ready_at').execute();
}
