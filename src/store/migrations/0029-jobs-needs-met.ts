// Which queued jobs have every need finished, kept on the row (issue 13 "Measure"): the
// claim's query (store/repos/job-queue.ts) looked at every queued job and each of its needs
// on every claim — 3.0 ms on PostgreSQL with 900 jobs waiting in chains, most of a job's
// database time. `needs_met` is 1 once the run's advance saw all of a job's needs finished
// (scheduler/progress.ts) or the job was created with none unfinished; the claim reads only
// those rows (this index) and still checks their needs, so the flag can only hold a job back
// until the advance that follows its last need's end, never let one run early.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('needs_met', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // Jobs queued before this migration: the claim's own needs check decides for them, as it did.
  await sql`update jobs set needs_met = 1 where status = 'queued'`.execute(db);
  await db.schema.createIndex('jobs_claimable').on('jobs').columns(['status', 'needs_met', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_claimable').execute();
  await db.schema.alterTable('jobs').dropColumn('needs_met').execute();
}
