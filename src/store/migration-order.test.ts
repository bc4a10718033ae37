// Migrations merged out of number order (0013 before 0012, from branches developed side by
// side) still apply: a database that ran the later one gets the earlier one next start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Migrator } from 'kysely';
import { openDatabase, migrate } from './database.ts';
import { migrations } from './migrations/index.ts';

test('a migration numbered below one already applied is applied next', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-migrations-'));
  const db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
  try {
    const without = Object.fromEntries(Object.entries(migrations).filter(([name]) => name !== '0012-sessions'));
    const first = await new Migrator({ db, provider: { getMigrations: async () => without } }).migrateToLatest();
    assert.equal(first.error, undefined);
    assert.ok(first.results?.some((r) => r.migrationName === '0013-deployment-superseded'));
    assert.deepEqual(await migrate(db), ['0012-sessions']);
  } finally {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
