// Adapts node:sqlite (built into Node 24, no native addon) to the slice of the
// better-sqlite3 API that Kysely's SqliteDialect calls.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Params = ReadonlyArray<unknown>;
type SqlValue = null | number | bigint | string | NodeJS.ArrayBufferView;

function toSql(params: Params): SqlValue[] {
  // node:sqlite binds booleans as errors; store them as 0/1 like better-sqlite3 users do.
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : (p as SqlValue)));
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;

  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }

  all(params: Params): unknown[] {
    return this.#stmt.all(...toSql(params));
  }

  run(params: Params): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#stmt.run(...toSql(params));
  }

  iterate(params: Params): IterableIterator<unknown> {
    return this.#stmt.iterate(...toSql(params)) as IterableIterator<unknown>;
  }
}

export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const db = new DatabaseSync(path);
  // WAL lets readers (log streams, the API) proceed while a writer holds the lock;
  // busy_timeout makes a second process wait instead of failing at once.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  return {
    raw: db,
    close: () => db.close(),
    prepare: (sql: string) => new Statement(db.prepare(sql)),
  };
}
