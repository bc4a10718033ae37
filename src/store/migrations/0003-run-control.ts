// Run control (issue 2): re-run attempts, concurrency groups, matrix legs, reusable-workflow
// jobs and trigger payloads. Columns only; every new column is nullable or has a default,
// so runs created before this migration read as attempt 1 with no group.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const runs: [string, 'text' | 'integer', unknown?][] = [
    ['attempt', 'integer', 1],
    ['title', 'text'],
    ['event_payload', 'text'],
    ['inputs', 'text'],
    ['concurrency_group', 'text'],
    ['concurrency_state', 'text'],
    ['cancel_requested', 'integer', 0],
  ];
  for (const [name, type, def] of runs) {
    await db.schema.alterTable('runs').addColumn(name, type, (c) => (def === undefined ? c : c.notNull().defaultTo(def))).execute();
  }
  const jobs: [string, 'text' | 'integer', unknown?][] = [
    ['run_attempt', 'integer', 1],
    ['job_id', 'text'],
    ['matrix', 'text'],
    ['deferred_matrix', 'integer', 0],
    ['called_workflow', 'text'],
    ['caller', 'text'],
    ['concurrency_group', 'text'],
    ['concurrency_state', 'text'],
    ['cancel_requested', 'integer', 0],
    ['reused_from', 'text'],
  ];
  for (const [name, type, def] of jobs) {
    await db.schema.alterTable('jobs').addColumn(name, type, (c) => (def === undefined ? c : c.notNull().defaultTo(def))).execute();
  }
  await db.schema.createIndex('jobs_run_attempt').on('jobs').columns(['run_id', 'run_attempt']).execute();
  await db.schema.createIndex('runs_concurrency').on('runs').columns(['project_id', 'concurrency_group']).execute();
  await db.schema.createIndex('jobs_concurrency').on('jobs').column('concurrency_group').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['jobs_concurrency', 'runs_concurrency', 'jobs_run_attempt']) await db.schema.dropIndex(index).execute();
  for (const c of ['reused_from', 'cancel_requested', 'concurrency_state', 'concurrency_group', 'caller', 'called_workflow', 'deferred_matrix', 'matrix', 'job_id', 'run_attempt']) {
    await db.schema.alterTable('jobs').dropColumn(c).execute();
  }
  for (const c of ['cancel_requested', 'concurrency_state', 'concurrency_group', 'inputs', 'event_payload', 'title', 'attempt']) {
    await db.schema.alterTable('runs').dropColumn(c).execute();
  }
}
