// Work that must run on one server at a time across all servers on one database (registry
// garbage collection and retention). PostgreSQL: a session advisory lock on one connection
// of the pool, held while `work` runs; a server that dies loses its connection and with it
// the lock, so nothing is left to expire. SQLite serves one server: `work` just runs.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from './migrations/portable.ts';
import type { Db } from './database.ts';

/** Runs `work` once no other server runs work under `name`; waits for the one that does. */
export async function exclusively<T>(db: Db, name: string, work: () => Promise<T>): Promise<T> {
  if (!isPostgres(db as unknown as Kysely<unknown>)) return work();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn);
    }
  });
}
