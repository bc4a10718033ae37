import type { Db } from '../database.ts';
import type { DeploymentsTable, EnvironmentStateTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';
import { nextNumber } from './numbering.ts';
import { requireRow } from './require-row.ts';

export type Deployment = DeploymentsTable;
type EnvironmentState = EnvironmentStateTable;

export function deploymentsRepo(db: Db) {
  return {
    async create(input: Pick<Deployment, 'project_id' | 'environment' | 'release_id' | 'trigger' | 'triggered_by'>): Promise<Deployment> {
      return db.transaction().execute(async (tx) => {
        const d: Deployment = {
          ...input,
          id: newId('dep'),
          number: await nextNumber(tx, 'deployments', input.project_id),
          status: 'queued',
          error: null,
          created_at: now(),
          started_at: null,
          finished_at: null,
          superseded_by: null,
        };
        await tx.insertInto('deployments').values(d).execute();
        return d;
      });
    },
    async get(id: string): Promise<Deployment | undefined> {
      return db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async byNumber(projectId: string, number: number): Promise<Deployment | undefined> {
      return db.selectFrom('deployments').selectAll().where('project_id', '=', projectId).where('number', '=', number).executeTakeFirst();
    },
    async require(id: string): Promise<Deployment> {
      return requireRow(await this.get(id), 'DEPLOYMENT_UNKNOWN', 'deployment', id);
    },
    async list(options: { projectId?: string; environment?: string; limit?: number } = {}): Promise<Deployment[]> {
      let q = db.selectFrom('deployments').selectAll().orderBy('created_at', 'desc').orderBy('number', 'desc');
      if (options.projectId) q = q.where('project_id', '=', options.projectId);
      if (options.environment) q = q.where('environment', '=', options.environment);
      return q.limit(options.limit ?? 50).execute();
    },
    async update(id: string, fields: Partial<Pick<Deployment, 'status' | 'error' | 'started_at' | 'finished_at'>>): Promise<void> {
      await db.updateTable('deployments').set(fields).where('id', '=', id).execute();
    },
    /**
     * Ends a deployment that has not started as `superseded` by a newer release. False when it
     * was no longer queued (it started, or ended another way, meanwhile).
     */
    async supersede(id: string, releaseId: string, error: string): Promise<boolean> {
      const r = await db
        .updateTable('deployments')
        .set({ status: 'superseded', superseded_by: releaseId, error, finished_at: now() })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** An environment's deployments queued or running now, newest first. */
    async inProgress(projectId: string, environment: string): Promise<Deployment[]> {
      return db
        .selectFrom('deployments')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('environment', '=', environment)
        .where('status', 'in', ['queued', 'running'])
        .orderBy('created_at', 'desc')
        .orderBy('number', 'desc')
        .execute();
    },
    async unfinished(): Promise<Deployment[]> {
      return db.selectFrom('deployments').selectAll().where('status', 'in', ['queued', 'running']).execute();
    },

    async state(projectId: string, environment: string): Promise<EnvironmentState | undefined> {
      return db.selectFrom('environment_state').selectAll().where('project_id', '=', projectId).where('environment', '=', environment).executeTakeFirst();
    },
    async allStates(): Promise<EnvironmentState[]> {
      return db.selectFrom('environment_state').selectAll().execute();
    },
    async setState(state: Omit<EnvironmentState, 'updated_at'>): Promise<void> {
      const row = { ...state, updated_at: now() };
      await db
        .insertInto('environment_state')
        .values(row)
        .onConflict((oc) => oc.columns(['project_id', 'environment']).doUpdateSet(row))
        .execute();
    },
  };
}
