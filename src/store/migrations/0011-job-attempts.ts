// Job attempts (issue 10 item 5): a job interrupted by a crash or a lost runner and run
// again is a new attempt with its own log stream (repos/logs.ts jobLogStream) and its own
// steps. Steps carry the attempt they ran in (rows from before read as attempt 1), and each
// attempt that ended without the job ending is recorded: `interrupted`, and why.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('steps').addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema
    .createTable('job_attempts')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_attempts_pk', ['job_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_attempts').execute();
  await db.schema.alterTable('steps').dropColumn('attempt').execute();
}
