// Annotations, step summaries, artifacts and caches: what steps leave besides logs.
import type { Db } from '../database.ts';
import type { AnnotationsTable, ArtifactsTable, CachesTable, StepSummariesTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

type AnnotationRow = Omit<AnnotationsTable, 'id'> & { id: number };
type StepSummary = StepSummariesTable;
export type Artifact = ArtifactsTable;
export type Cache = CachesTable;

type NewAnnotation = Omit<AnnotationsTable, 'id' | 'created_at'>;

export function runOutputsRepo(db: Db) {
  return {
    async addAnnotation(a: NewAnnotation): Promise<void> {
      await db.insertInto('annotations').values({ ...a, created_at: now() }).execute();
    },
    /** In job order, then as the steps wrote them. */
    async annotations(runId: string): Promise<(AnnotationRow & { job_key: string })[]> {
      return db
        .selectFrom('annotations')
        .innerJoin('jobs', 'jobs.id', 'annotations.job_id')
        .selectAll('annotations')
        .select('jobs.key as job_key')
        .where('annotations.run_id', '=', runId)
        .orderBy('jobs.position')
        .orderBy('annotations.id')
        .execute();
    },
    /** A step's summary; a retried upload replaces it. */
    async setSummary(s: Omit<StepSummary, 'created_at'>): Promise<void> {
      await db
        .insertInto('step_summaries')
        .values({ ...s, created_at: now() })
        .onConflict((oc) => oc.columns(['job_id', 'step_number']).doUpdateSet({ markdown: s.markdown }))
        .execute();
    },
    async summaries(runId: string): Promise<(StepSummary & { job_key: string; job_name: string })[]> {
      return db
        .selectFrom('step_summaries')
        .innerJoin('jobs', 'jobs.id', 'step_summaries.job_id')
        .selectAll('step_summaries')
        .select(['jobs.key as job_key', 'jobs.name as job_name'])
        .where('step_summaries.run_id', '=', runId)
        .orderBy('jobs.position')
        .orderBy('step_summaries.step_number')
        .execute();
    },
    async addArtifact(a: Omit<Artifact, 'id' | 'created_at'>): Promise<Artifact> {
      const row: Artifact = { ...a, id: newId('art'), created_at: now() };
      await db.insertInto('artifacts').values(row).execute();
      return row;
    },
    async artifact(runId: string, name: string): Promise<Artifact | undefined> {
      return db.selectFrom('artifacts').selectAll().where('run_id', '=', runId).where('name', '=', name).executeTakeFirst();
    },
    async artifacts(runId: string): Promise<Artifact[]> {
      return db.selectFrom('artifacts').selectAll().where('run_id', '=', runId).orderBy('created_at').orderBy('name').execute();
    },
    async cache(projectId: string, key: string): Promise<Cache | undefined> {
      return db.selectFrom('caches').selectAll().where('project_id', '=', projectId).where('key', '=', key).executeTakeFirst();
    },
    /** The most recently created cache whose key starts with `prefix` (actions/cache restore-keys). */
    async cacheByPrefix(projectId: string, prefix: string): Promise<Cache | undefined> {
      const rows = await db.selectFrom('caches').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').execute();
      // Compared in JS: LIKE treats `%`/`_` in a key as wildcards and is case-insensitive in SQLite.
      return rows.find((r) => r.key.startsWith(prefix));
    },
    /** Records a cache; false when the key already exists (caches are immutable, first save wins). */
    async addCache(c: Omit<Cache, 'id' | 'created_at' | 'last_used_at'>): Promise<boolean> {
      const t = now();
      const r = await db
        .insertInto('caches')
        .values({ ...c, id: newId('cache'), created_at: t, last_used_at: t })
        .onConflict((oc) => oc.columns(['project_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async touchCache(id: string): Promise<void> {
      await db.updateTable('caches').set({ last_used_at: now() }).where('id', '=', id).execute();
    },
  };
}
