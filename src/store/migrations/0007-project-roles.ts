// Per-project roles (issue 9): who holds which role in which project, and whether a project
// is public (anonymous clone, pull and read). Projects made before this have no members:
// admins hold every permission and add the first maintainer.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema.createIndex('project_members_user').on('project_members').columns(['user_id']).execute();
  await db.schema.alterTable('projects').addColumn('public', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
