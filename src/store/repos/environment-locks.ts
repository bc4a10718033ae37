// One lock row per (project, environment). Every change is one conditional statement, so
// two processes on the same database can never both hold it: insert-if-absent, or
// take over only while the row still shows the expired lease that was read (compare-and-set).
import type { Db } from '../database.ts';
import type { EnvironmentLocksTable } from '../schema.ts';

export type EnvironmentLock = EnvironmentLocksTable;

interface LockRequest {
  projectId: string;
  environment: string;
  holder: string;
  deploymentId: string;
  leaseMs: number;
}

const at = (ms: number) => new Date(ms).toISOString();

export function environmentLocksRepo(db: Db) {
  return {
    async get(projectId: string, environment: string): Promise<EnvironmentLock | undefined> {
      return db.selectFrom('environment_locks').selectAll().where('project_id', '=', projectId).where('environment', '=', environment).executeTakeFirst();
    },
    async all(): Promise<EnvironmentLock[]> {
      return db.selectFrom('environment_locks').selectAll().execute();
    },
    /** True when `holder` now holds the lock: it was free, its lease had expired, or it already held it. */
    async acquire(r: LockRequest): Promise<boolean> {
      const nowMs = Date.now();
      const row: EnvironmentLock = { project_id: r.projectId, environment: r.environment, holder: r.holder, deployment_id: r.deploymentId, acquired_at: at(nowMs), lease_expires_at: at(nowMs + r.leaseMs) };
      const inserted = await db.insertInto('environment_locks').values(row).onConflict((oc) => oc.columns(['project_id', 'environment']).doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
      const current = await this.get(r.projectId, r.environment);
      if (!current) return false; // released in between: the next attempt inserts
      if (current.holder !== r.holder && current.lease_expires_at > at(nowMs)) return false;
      // Compare-and-set: only if nobody changed the row since it was read.
      const taken = await db
        .updateTable('environment_locks')
        .set({ holder: r.holder, deployment_id: r.deploymentId, acquired_at: row.acquired_at, lease_expires_at: row.lease_expires_at })
        .where('project_id', '=', r.projectId)
        .where('environment', '=', r.environment)
        .where('holder', '=', current.holder)
        .where('lease_expires_at', '=', current.lease_expires_at)
        .executeTakeFirst();
      return Number(taken.numUpdatedRows) === 1;
    },
    /** Extends the lease; false when the lock is no longer this holder's (taken over after expiry). */
    async renew(projectId: string, environment: string, holder: string, leaseMs: number): Promise<boolean> {
      const r = await db
        .updateTable('environment_locks')
        .set({ lease_expires_at: at(Date.now() + leaseMs) })
        .where('project_id', '=', projectId)
        .where('environment', '=', environment)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async release(projectId: string, environment: string, holder: string): Promise<void> {
      await db.deleteFrom('environment_locks').where('project_id', '=', projectId).where('environment', '=', environment).where('holder', '=', holder).execute();
    },
  };
}
