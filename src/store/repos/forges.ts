// A project's forge link and the webhook deliveries it has seen (0016). The secret and token
// are ciphertext here; src/triggers/forge/forge-links.ts encrypts and decrypts them.
import type { Db } from '../database.ts';
import type { ForgeDeliveriesTable, ForgeLinksTable } from '../schema.ts';
import { now } from './time.ts';

export type ForgeLinkRow = ForgeLinksTable;

export function forgesRepo(db: Db) {
  return {
    async put(row: Omit<ForgeLinkRow, 'updated_at'>): Promise<void> {
      const values = { ...row, updated_at: now() };
      const { project_id: _, ...update } = values;
      await db.insertInto('forge_links').values(values).onConflict((oc) => oc.column('project_id').doUpdateSet(update)).execute();
    },
    async get(projectId: string): Promise<ForgeLinkRow | undefined> {
      return db.selectFrom('forge_links').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    },
    /** False when the project had none. */
    async remove(projectId: string): Promise<boolean> {
      const r = await db.deleteFrom('forge_links').where('project_id', '=', projectId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async delivery(projectId: string, deliveryId: string): Promise<ForgeDeliveriesTable | undefined> {
      return db.selectFrom('forge_deliveries').selectAll().where('project_id', '=', projectId).where('delivery_id', '=', deliveryId).executeTakeFirst();
    },
    /** Whether a forge delivery recorded this push event (its pusher is the forge's user name, not one of ours). */
    async isForgePush(pushEventId: string): Promise<boolean> {
      return (await db.selectFrom('forge_deliveries').select('delivery_id').where('push_event_id', '=', pushEventId).executeTakeFirst()) !== undefined;
    },
    /** A delivery that records no push event (ping, dispatch); false when it was seen already. */
    async recordDelivery(projectId: string, deliveryId: string, event: string): Promise<boolean> {
      const r = await db
        .insertInto('forge_deliveries')
        .values({ project_id: projectId, delivery_id: deliveryId, event, push_event_id: null, received_at: now() })
        .onConflict((oc) => oc.columns(['project_id', 'delivery_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}
