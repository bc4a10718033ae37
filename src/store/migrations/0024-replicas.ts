// Several servers on one database (issue 13, "several servers, one installation"):
// - schedule_fires: a scheduled workflow's minute, taken once by whichever server inserts it
//   first (the unique key), so every server can tick every minute and each cron fires once;
// - servers: each live server's row, renewed every few seconds, so start-up recovery can tell
//   whether another server is at work;
// - registry_digest_*: what the registry's garbage collector must see of other servers'
//   requests (src/registry/digest-use.ts): the digests they hold, the last time each was
//   used, and the deletions under way that a request must wait out;
// - installation_settings: facts every server checks itself against (a value encrypted with
//   the secrets key, so a server started with another key refuses to start).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_fires')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('workflow', 'text', (c) => c.notNull())
    .addColumn('minute', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_fires_key', ['project', 'workflow', 'minute'])
    .execute();
  await db.schema
    .createTable('servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_digest_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registry_digest_holds_digest').on('registry_digest_holds').column('digest').execute();
  await db.schema
    .createTable('registry_digest_uses')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('used_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('installation_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('registry_digest_deletions')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['installation_settings', 'registry_digest_deletions', 'registry_digest_uses', 'registry_digest_holds', 'servers', 'schedule_fires']) await db.schema.dropTable(t).execute();
}
