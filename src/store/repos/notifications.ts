// Outgoing notification hooks per project and the delivery log of everything sent out
// (commit statuses and notifications), 0016. Hook secrets are ciphertext here.
import type { Db } from '../database.ts';
import type { NotificationHooksTable, OutgoingDeliveriesTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

export type NotificationHook = NotificationHooksTable;
export type OutgoingDelivery = OutgoingDeliveriesTable;

export function notificationsRepo(db: Db) {
  return {
    async addHook(row: Omit<NotificationHook, 'id' | 'created_at'>): Promise<NotificationHook> {
      const hook = { ...row, id: newId('hook'), created_at: now() };
      await db.insertInto('notification_hooks').values(hook).execute();
      return hook;
    },
    async hooks(projectId: string): Promise<NotificationHook[]> {
      return db.selectFrom('notification_hooks').selectAll().where('project_id', '=', projectId).orderBy('created_at').orderBy('id').execute();
    },
    async removeHook(projectId: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('notification_hooks').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async startDelivery(row: Pick<OutgoingDelivery, 'project_id' | 'target' | 'url' | 'subject' | 'state'>): Promise<OutgoingDelivery> {
      const t = now();
      const d: OutgoingDelivery = { ...row, id: newId('dlv'), status: 'pending', attempts: 0, response_code: null, error: null, created_at: t, updated_at: t };
      await db.insertInto('outgoing_deliveries').values(d).execute();
      return d;
    },
    async updateDelivery(id: string, fields: Pick<OutgoingDelivery, 'status' | 'attempts' | 'response_code' | 'error'>): Promise<void> {
      await db.updateTable('outgoing_deliveries').set({ ...fields, updated_at: now() }).where('id', '=', id).execute();
    },
    /** Newest first. */
    async deliveries(projectId: string, limit = 100): Promise<OutgoingDelivery[]> {
      return db.selectFrom('outgoing_deliveries').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
  };
}
