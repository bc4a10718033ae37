// Approvals of gated jobs (a job whose `environment:` has an approval rule waits for them)
// live beside the deployments' in one table: a row decides on a deployment or on a job,
// never both. The table is rebuilt because SQLite cannot make a primary-key column
// nullable in place; its rows are copied over. One decision per user per subject stays a
// unique index on each. A waiting job records the environment it waits for
// (`jobs.gate_environment`) and when it began to (`jobs.waiting_since`, for the wait timer).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('waiting_since', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('gate_environment', 'text').execute();
  await db.schema
    .createTable('approvals_0018')
    .addColumn('deployment_id', 'text', (c) => c.references('deployments.id'))
    .addColumn('job_id', 'text', (c) => c.references('jobs.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('approvals_one_subject', sql`(deployment_id is null) <> (job_id is null)`)
    .execute();
  await sql`insert into approvals_0018 (deployment_id, job_id, user_id, user_name, decision, reason, created_at) select deployment_id, null, user_id, user_name, decision, reason, created_at from approvals`.execute(db);
  await db.schema.dropTable('approvals').execute();
  await db.schema.alterTable('approvals_0018').renameTo('approvals').execute();
  await db.schema.createIndex('approvals_deployment_user').unique().on('approvals').columns(['deployment_id', 'user_id']).execute();
  await db.schema.createIndex('approvals_job_user').unique().on('approvals').columns(['job_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('approvals_0005')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approvals_pk', ['deployment_id', 'user_id'])
    .execute();
  await sql`insert into approvals_0005 select deployment_id, user_id, user_name, decision, reason, created_at from approvals where deployment_id is not null`.execute(db);
  await db.schema.dropTable('approvals').execute();
  await db.schema.alterTable('approvals_0005').renameTo('approvals').execute();
  await db.schema.alterTable('jobs').dropColumn('waiting_since').execute();
  await db.schema.alterTable('jobs').dropColumn('gate_environment').execute();
}
