// GitHub's run numbers (0022): GITHUB_RUN_ID unique in the installation, GITHUB_RUN_NUMBER
// per workflow file of a project; runs created before the migration are numbered by it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase, migrate } from './database.ts';
import { createStore } from './store.ts';
import { migrations } from './migrations/index.ts';

const newRun = (projectId: string, workflow: string) => ({ projectId, workflow, name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40), jobs: [] });

test('runs get an installation-wide GITHUB_RUN_ID and a per-workflow GITHUB_RUN_NUMBER', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    await migrate(db);
    const store = createStore(db);
    const a = await store.projects.ensure('a');
    const b = await store.projects.ensure('b');
    const runs = [];
    for (const [p, w] of [[a, 'ci.yml'], [a, 'ci.yml'], [a, 'nightly.yml'], [b, 'ci.yml']] as const) runs.push(await store.runs.create(newRun(p.id, w)));
    assert.deepEqual(runs.map((r) => [r.number, r.github_run_id, r.workflow_number]), [[1, 1, 1], [2, 2, 2], [3, 3, 1], [1, 4, 1]]);
  } finally {
    await db.destroy();
  }
});

test('migration 0022 numbers the runs that existed before it in creation order', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0022'));
    const first = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
    assert.equal(first.error, undefined);
    const rows = [['r1', 'p1', 1, 'ci.yml', '2026-01-01T00:00:01Z'], ['r2', 'p1', 2, 'other.yml', '2026-01-01T00:00:02Z'], ['r3', 'p2', 1, 'ci.yml', '2026-01-01T00:00:03Z'], ['r4', 'p1', 3, 'ci.yml', '2026-01-01T00:00:04Z']] as const;
    const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const p of ['p1', 'p2']) await untyped.insertInto('projects').values({ id: p, name: p, created_at: '2026-01-01T00:00:00Z' }).execute();
    for (const [id, project, number, workflow, at] of rows) {
      await untyped.insertInto('runs').values({ id, project_id: project, number, workflow, name: 'ci', event: 'push', ref: 'refs/heads/main', sha: 'a'.repeat(40), status: 'success', created_at: at, attempt: 1, cancel_requested: 0 }).execute();
    }
    // 0022 first, then whatever came after it.
    const applied = await migrate(db);
    assert.equal(applied[0], '0022-run-ids');
    assert.ok(applied.every((name) => name >= '0022'), applied.join());
    const got = await db.selectFrom('runs').select(['id', 'github_run_id', 'workflow_number']).orderBy('id').execute();
    assert.deepEqual(got.map((r) => [r.id, r.github_run_id, r.workflow_number]), [['r1', 1, 1], ['r2', 2, 1], ['r3', 3, 1], ['r4', 4, 2]]);
    // New runs continue after them.
    const next = await createStore(db).runs.create(newRun('p1', 'ci.yml'));
    assert.deepEqual([next.github_run_id, next.workflow_number], [5, 3]);
  } finally {
    await db.destroy();
  }
});
