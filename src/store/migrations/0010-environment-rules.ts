// Environment protection set on the server (issue 9 item 5): a maintainer's rules for one
// environment of a project, which take precedence over the environments block of deploy.yml
// on the project's default branch. The rules are one JSON document (what
// src/deploy/config/stored-rules.ts reads), replaced whole on each change.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('environment_rules')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('environment_rules_pk', ['project_id', 'environment'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('environment_rules').execute();
}
