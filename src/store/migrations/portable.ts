// The few places where SQLite and PostgreSQL need different DDL; everything else in the
// migrations is portable SQL (text ids, ISO text times, JSON as text, 0/1 integers).
import { PostgresAdapter, type ColumnDataType, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An integer primary key the database numbers: `serial` on PostgreSQL, `integer … autoincrement` on SQLite. */
export function autoId(db: Kysely<unknown>): [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return isPostgres(db) ? ['serial', (c) => c.primaryKey()] : ['integer', (c) => c.primaryKey().autoIncrement()];
}
