// Remote actions and reusable workflows (issue 12 item 1): which commit each `uses:
// owner/repo[/path]@ref` of a run resolved to, and through which action source, so the run
// shows exactly what code it ran. `job_id` is '' for what the planner resolved (reusable
// workflows), the job's id for what its runner resolved (actions, nested ones included).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('run_actions')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('uses', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_actions_pk', ['run_id', 'job_id', 'uses'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_actions').execute();
}
