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

/**
 * Prepared statements kept by SQL text, least recently used dropped past this many. Kysely
 * asks for a statement per query; preparing each anew made ~0.4 MB of native memory per
 * run that the allocator never returned (bench/soak.ts), and costs a parse every time.
 */
const statementCacheSize = 256;

export function openSqlite(path: string): SqliteDatabase & { raw: DatabaseSync } {
  const db = new DatabaseSync(path);
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let stmt = statements.get(sql);
    if (stmt) statements.delete(sql);
    else stmt = new Statement(db.prepare(sql));
    statements.set(sql, stmt); // most recently used last
    if (statements.size > statementCacheSize) statements.delete(statements.keys().next().value!);
    return stmt;
  };
  // WAL lets readers (log streams, the API) proceed while a writer holds the lock;
  // busy_timeout makes a second process wait instead of failing at once.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  return {
    raw: db,
    close: () => {
      statements.clear();
      db.close();
    },
    prepare,
  };
}
