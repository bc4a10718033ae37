// Runners the server has heard from (issue 12 item 4, issue 11's runners page): each name
// with the labels it offered and when it last claimed or heartbeated. A job that no online
// runner can take records since when it has been waiting for one (runner.queueTimeout) and
// what it waits for, so the run shows it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runners')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('jobs').addColumn('runner_wait_since', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('runner_wait', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('runner_wait').execute();
  await db.schema.alterTable('jobs').dropColumn('runner_wait_since').execute();
  await db.schema.dropTable('runners').execute();
}
