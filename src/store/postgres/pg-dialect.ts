// PostgreSQL through node-postgres (`pg`): the store at scale (SLIPWAY_DATABASE_URL). Chosen
// over `postgres` (porsager) because Kysely ships its dialect for `pg`'s Pool, it is the
// most used driver with the longest record, and it needs no native addon.
import pg from 'pg';
import { PostgresDialect } from 'kysely';

// int8 (count(*), bigint columns) arrives as a string by default, to be safe past 2^53; our
// counts and byte sizes stay far below, and the rest of the code expects numbers as SQLite
// gives them.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function postgresDialect(url: string): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) });
}
