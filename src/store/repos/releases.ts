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
    /**
     * When the commit of a release was pushed: the push event of the run that built it, or the
     * run's creation for runs no push started (dispatch, schedule). ISO time; undefined when
     * the release is unknown.
     */
    async pushedAt(id: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('releases')
        .innerJoin('runs', 'runs.id', 'releases.run_id')
        .leftJoin('push_events', 'push_events.id', 'runs.push_event_id')
        .select(['push_events.received_at', 'runs.created_at'])
        .where('releases.id', '=', id)
        .executeTakeFirst();
      return row && (row.received_at ?? row.created_at);
    },
    async list(projectId: string, limit = 50): Promise<Release[]> {
      return db.selectFrom('releases').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').limit(limit).execute();
    },
  };
}
