// What steps leave on a run besides logs: annotations (`::error file=…::`), step summaries
// ($GITHUB_STEP_SUMMARY), artifacts (actions/upload-artifact) and caches (actions/cache).
// Archives are files in the data dir; these tables hold their metadata.
import type { Kysely } from 'kysely';
import { autoId } from './portable.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('annotations')
    .addColumn('id', ...autoId(db))
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
    .addColumn('step_number', 'integer')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('file', 'text')
    .addColumn('line', 'integer')
    .addColumn('end_line', 'integer')
    .addColumn('col', 'integer')
    .addColumn('end_column', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('annotations_run').on('annotations').column('run_id').execute();

  await db.schema
    .createTable('step_summaries')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id'))
    .addColumn('step_number', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('step_summaries_pk', ['job_id', 'step_number'])
    .execute();
  await db.schema.createIndex('step_summaries_run').on('step_summaries').column('run_id').execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('artifacts_run_name', ['run_id', 'name'])
    .execute();

  await db.schema
    .createTable('caches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('caches_project_key', ['project_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['caches', 'artifacts', 'step_summaries', 'annotations']) await db.schema.dropTable(t).execute();
}
