// Deploy control (issue 3): one lock row per environment, shared by every process on the
// database (compare-and-set on holder + lease), and per-environment secrets, stored
// encrypted (src/auth/secrets.ts); this table never holds a plaintext value.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('environment_locks')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('lease_expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('environment_locks_pk', ['project_id', 'environment'])
    .execute();

  await db.schema
    .createTable('secrets')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('secrets_pk', ['project_id', 'environment', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('secrets').execute();
  await db.schema.dropTable('environment_locks').execute();
}
