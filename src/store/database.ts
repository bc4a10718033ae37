// Opens the database and brings its schema up to date. Only this module (and the dialect
// folders) import Kysely's dialects; the rest of the code sees `Kysely<Database>`.
// SQLite (a file in the data dir) on a laptop; PostgreSQL (a postgres:// URL) at scale. The
// same migrations and queries run on both (portable SQL; src/store/migrations/portable.ts
// for the few differences).
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';
import { openSqlite } from './sqlite/node-sqlite-database.ts';
import { postgresDialect } from './postgres/pg-dialect.ts';

export type Db = Kysely<Database>;

export function openDatabase(options: { sqlitePath: string } | { url: string }): Db {
  if ('url' in options) return new Kysely<Database>({ dialect: postgresDialect(options.url) });
  const database = openSqlite(options.sqlitePath);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs pending migrations; returns the names applied (the caller logs them). */
export async function migrate(db: Db): Promise<string[]> {
  // Branches developed side by side take migration numbers out of order (0013 was merged
  // before 0012): a database that already ran a later number still gets an earlier one.
  // Each migration is independent of the numbers around it, as they must be for this.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
