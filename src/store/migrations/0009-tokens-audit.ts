// Tokens a team can trust (issue 9): user tokens get a scope, an optional expiry and a
// revocation time; jobs and deployments get short-lived grant tokens of their own (valid
// for one job's project or one release's repository, never a user); and an audit log of
// security-relevant actions. The built-in runner's user token, which every job could read
// as its registry password, is revoked: the runner needs no credential of its own.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Tokens made before scopes existed could do everything their user could: keep that.
  await db.schema.alterTable('tokens').addColumn('scope', 'text', (c) => c.notNull().defaultTo('admin')).execute();
  await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('revoked_at', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('last_used_at', 'text').execute();
  await sql`update tokens set revoked_at = ${new Date().toISOString()}
    where name = 'builtin-runner' and user_id in (select id from users where name = 'builtin-runner')`.execute(db);

  await db.schema
    .createTable('grant_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    // 'job': a running job's token; 'deploy': a deployment's pull-only token.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('job_id', 'text')
    .addColumn('job_attempt', 'integer')
    .addColumn('deployment_id', 'text')
    .addColumn('repository', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grant_tokens_job').on('grant_tokens').column('job_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('project', 'text')
    .addColumn('target', 'text')
    .addColumn('address', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
  await db.schema.createIndex('audit_log_project').on('audit_log').columns(['project', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('grant_tokens').execute();
  for (const column of ['last_used_at', 'revoked_at', 'expires_at', 'scope']) await db.schema.alterTable('tokens').dropColumn(column).execute();
}
