// Runner credentials (issue 13): what a remote runner (`slipway runner`) authenticates with
// on /api/runner/… and nothing else. Hashed at rest like user tokens; one live credential
// per runner name, revoked rather than deleted so the audit trail keeps its name. And the
// registration tokens an admin makes, which only turn into such a credential.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runner_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('runner_credentials_name').on('runner_credentials').column('name').execute();
  await db.schema
    .createTable('runner_registration_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('runner_registration_tokens').execute();
  await db.schema.dropTable('runner_credentials').execute();
}
