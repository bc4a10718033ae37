// Archived logs (issue 13): once a job attempt or a deployment ends, its log chunks move from
// log_chunks into one object of the object store (store/repos/log-archive.ts); this row
// says where, up to which chunk, and keeps a sparse index of byte offsets so a reader pages
// by sequence number without reading the object from the start.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('log_archives')
    .addColumn('stream', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('offsets', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('log_archives').execute();
}
