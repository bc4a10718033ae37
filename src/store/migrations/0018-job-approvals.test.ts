// Upgrading to job approvals: the approvals table is rebuilt with a nullable deployment_id
// and a job_id; deployment decisions made before 0018 are kept, a row names exactly one
// subject, and each user decides once per subject.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { openDatabase } from '../database.ts';
import { migrations } from './index.ts';

test('0018: deployment approvals survive the rebuild; a row decides on one deployment or one job', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    const migrator = new Migrator({ db, provider });
    assert.equal((await migrator.migrateTo('0013-deployment-superseded')).error, undefined);
    // Only the approvals table is under test: its subjects need not exist.
    await sql`pragma foreign_keys = off`.execute(db);
    const at = '2026-01-01T00:00:00.000Z';
    await sql`insert into approvals (deployment_id, user_id, user_name, decision, reason, created_at) values ('dep_1', 'usr_bob', 'bob', 'approve', null, ${at})`.execute(db);
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.deepEqual((await db.selectFrom('approvals').selectAll().execute()).map((r) => ({ ...r })), [{ deployment_id: 'dep_1', job_id: null, user_id: 'usr_bob', user_name: 'bob', decision: 'approve', reason: null, created_at: at }]);
    const row = (deployment_id: string | null, job_id: string | null, user = 'usr_bob') => ({ deployment_id, job_id, user_id: user, user_name: 'bob', decision: 'approve' as const, reason: null, created_at: at });
    await db.insertInto('approvals').values(row(null, 'job_1')).execute();
    await assert.rejects(db.insertInto('approvals').values(row(null, 'job_1')).execute(), /UNIQUE/);
    await assert.rejects(db.insertInto('approvals').values(row('dep_1', null)).execute(), /UNIQUE/);
    await assert.rejects(db.insertInto('approvals').values(row('dep_2', 'job_2')).execute(), /CHECK/);
    await assert.rejects(db.insertInto('approvals').values(row(null, null)).execute(), /CHECK/);
  } finally {
    await db.destroy();
  }
});
