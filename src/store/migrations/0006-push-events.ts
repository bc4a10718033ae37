// Durable pushes (issue 10): every ref update git accepted is recorded before the push is
// acknowledged, and the ref values last recorded per project let start-up find updates a
// crash kept from being recorded at all. Runs remember the push event that started them, so
// an event processed twice (a crash between its runs and its "processed" mark) starts each
// workflow once.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('push_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .addColumn('pusher', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .execute();
  await db.schema.createIndex('push_events_pending').on('push_events').columns(['processed_at', 'received_at']).execute();

  await db.schema
    .createTable('ref_heads')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ref_heads_pk', ['project', 'ref'])
    .execute();

  // Settings the server keeps for itself. `ref_heads_seeded` = 0: repositories made before
  // this migration have no recorded heads yet; the first start records them without runs.
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into meta (key, value) values ('ref_heads_seeded', '0')`.execute(db);

  await db.schema.alterTable('runs').addColumn('push_event_id', 'text').execute();
  await db.schema.createIndex('runs_push_event').on('runs').columns(['push_event_id', 'workflow']).execute();
}
