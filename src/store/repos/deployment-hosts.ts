import type { Db } from '../database.ts';
import type { DeploymentHostsTable } from '../schema.ts';
import { now } from './time.ts';

type DeploymentHost = DeploymentHostsTable;
export type HostStatus = DeploymentHost['status'];

export function deploymentHostsRepo(db: Db) {
  return {
    /** One `pending` row per host, in deploy.yml order. */
    async create(deploymentId: string, hosts: string[]): Promise<void> {
      if (hosts.length === 0) return;
      await db
        .insertInto('deployment_hosts')
        .values(hosts.map((host, position) => ({ deployment_id: deploymentId, host, position, status: 'pending' as const, error: null, container: null, started_at: null, finished_at: null })))
        .execute();
    },
    async list(deploymentId: string): Promise<DeploymentHost[]> {
      return db.selectFrom('deployment_hosts').selectAll().where('deployment_id', '=', deploymentId).orderBy('position').execute();
    },
    async update(deploymentId: string, host: string, fields: { status: HostStatus; error?: string | null; container?: string | null }): Promise<void> {
      const time = now();
      const times = fields.status === 'running' ? { started_at: time } : fields.status === 'pending' ? {} : { finished_at: time };
      await db.updateTable('deployment_hosts').set({ ...fields, ...times }).where('deployment_id', '=', deploymentId).where('host', '=', host).execute();
    },
  };
}
