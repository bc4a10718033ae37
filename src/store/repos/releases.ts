import type { Db } from '../database.ts';
import type { ReleasesTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

export type Release = ReleasesTable;

export function releasesRepo(db: Db) {
  return {
    async create(input: Omit<Release, 'id' | 'created_at'>): Promise<Release> {
      const release: Release = { ...input, id: newId('rel'), created_at: now() };
      await db.insertInto('releases').values(release).execute();
      return release;
    },
    async get(id: string): Promise<Release | undefined> {
      return db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async forRun(runId: string): Promise<Release[]> {
      return db.selectFrom('releases').selectAll().where('run_id', '=', runId).orderBy('created_at').execute();
    },
    async list(projectId: string, limit = 50): Promise<Release[]> {
      return db.selectFrom('releases').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').limit(limit).execute();
    },
  };
}
