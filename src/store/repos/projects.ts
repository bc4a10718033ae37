import type { Selectable } from 'kysely';
import type { Db } from '../database.ts';
import type { ProjectsTable } from '../schema.ts';
import { newId, isValidName } from '../../core/ids.ts';
import { SlipwayError } from '../../core/errors.ts';
import { now } from './time.ts';
import { requireRow } from './require-row.ts';

export type Project = Selectable<ProjectsTable>;

export function projectsRepo(db: Db) {
  return {
    async get(name: string): Promise<Project | undefined> {
      return db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    },
    async require(name: string): Promise<Project> {
      return requireRow(await this.get(name), 'PROJECT_UNKNOWN', 'project', name);
    },
    async byId(id: string): Promise<Project | undefined> {
      return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(): Promise<Project[]> {
      return db.selectFrom('projects').selectAll().orderBy('name').execute();
    },
    /** Creates the project unless it exists; returns it either way. */
    async ensure(name: string): Promise<Project> {
      if (!isValidName(name)) {
        throw new SlipwayError('INVALID_NAME', `invalid project name "${name}": use lower-case letters, digits, '.', '_' and '-'`);
      }
      await db
        .insertInto('projects')
        .values({ id: newId('prj'), name, created_at: now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      return this.require(name);
    },
    /** Public: anonymous clone, image pull and read of runs and releases. */
    async setPublic(id: string, on: boolean): Promise<void> {
      await db.updateTable('projects').set({ public: on ? 1 : 0 }).where('id', '=', id).execute();
    },
  };
}
