// The node:sqlite adapter: what Kysely's SqliteDialect relies on from better-sqlite3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { openSqlite } from './node-sqlite-database.ts';

void test('reader is true for statements that return rows, including RETURNING', () => {
  const db = openSqlite(':memory:');
  db.raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, flag INTEGER)');
  // Kysely calls all() for readers and run() for the rest: a wrong answer loses rows or counts.
  assert.equal(db.prepare('SELECT 1').reader, true);
  assert.equal(db.prepare('SELECT id, name FROM t').reader, true);
  assert.equal(db.prepare('INSERT INTO t (name) VALUES (?) RETURNING id').reader, true);
  assert.equal(db.prepare('INSERT INTO t (name) VALUES (?)').reader, false);
  assert.equal(db.prepare('UPDATE t SET name = ?').reader, false);
  assert.equal(db.prepare('DELETE FROM t').reader, false);
  db.close();
});

void test('run reports changes; booleans are bound as 1 and 0', () => {
  const db = openSqlite(':memory:');
  db.raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, flag INTEGER)');
  const insert = db.prepare('INSERT INTO t (name, flag) VALUES (?, ?)');
  assert.equal(Number(insert.run(['a', true]).changes), 1);
  assert.equal(Number(insert.run(['b', false]).lastInsertRowid), 2);
  assert.deepEqual(db.prepare('SELECT name, flag FROM t ORDER BY id').all([]).map((r) => ({ ...(r as object) })), [
    { name: 'a', flag: 1 },
    { name: 'b', flag: 0 },
  ]);
  assert.deepEqual([...db.prepare('SELECT name FROM t WHERE flag = ?').iterate([true])].map((r) => (r as { name: string }).name), ['a']);
  db.close();
});

void test('through Kysely: RETURNING rows, affected counts, booleans and transactions', async () => {
  const db = new Kysely<{ t: { id: number; name: string; flag: number } }>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
  await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, flag INTEGER)`.execute(db);
  const inserted = await db.insertInto('t').values({ id: 7, name: 'x', flag: 1 }).returning(['id', 'name']).executeTakeFirst();
  assert.deepEqual({ ...inserted }, { id: 7, name: 'x' });
  const updated = await db.updateTable('t').set({ name: 'y' }).where(sql<boolean>`flag = ${true}`).executeTakeFirst();
  assert.equal(updated.numUpdatedRows, 1n);
  await assert.rejects(
    db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 8, name: 'z', flag: 0 }).execute();
      await tx.insertInto('t').values({ id: 9, name: null as unknown as string, flag: 0 }).execute();
    }),
  );
  assert.deepEqual((await db.selectFrom('t').select('id').execute()).map((r) => r.id), [7]);
  await db.destroy();
});
