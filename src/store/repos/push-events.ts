// Pushes as durable events: recorded (with the ref heads they leave) in one transaction
// before git's answer reaches the client, processed into runs after, so a crash in between
// leaves a pending event that the next start processes.
import type { Db } from '../database.ts';
import type { PushEventsTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { zeroSha, type PushEvent } from '../../core/types.ts';
import { SlipwayError } from '../../core/errors.ts';
import { now } from './time.ts';

export type StoredPushEvent = PushEventsTable;

/** A forge's webhook delivery (its own id, e.g. X-GitHub-Delivery), kept once per project. */
export interface ForgeDelivery {
  projectId: string;
  id: string;
  event: string;
}

export function pushEventsRepo(db: Db) {
  return {
    /**
     * Records ref updates and the heads they leave; returns the stored events in order.
     * `delivery`: the forge webhook delivery that brought them (one event), recorded in the
     * same transaction, so a redelivery finds it and records nothing (CONFLICT if it raced).
     */
    async record(events: readonly PushEvent[], delivery?: ForgeDelivery): Promise<StoredPushEvent[]> {
      if (events.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        if (delivery) {
          const taken = await tx.selectFrom('forge_deliveries').select('delivery_id').where('project_id', '=', delivery.projectId).where('delivery_id', '=', delivery.id).executeTakeFirst();
          if (taken) throw new SlipwayError('CONFLICT', `webhook delivery ${delivery.id} was recorded already`);
        }
        const stored: StoredPushEvent[] = [];
        for (const e of events) {
          const row: StoredPushEvent = { id: newId('push'), project: e.project, ref: e.ref, before: e.before, after: e.after, pusher: e.pusher, received_at: now(), processed_at: null };
          await tx.insertInto('push_events').values(row).execute();
          if (e.after === zeroSha) await tx.deleteFrom('ref_heads').where('project', '=', e.project).where('ref', '=', e.ref).execute();
          else {
            await tx
              .insertInto('ref_heads')
              .values({ project: e.project, ref: e.ref, sha: e.after })
              .onConflict((oc) => oc.columns(['project', 'ref']).doUpdateSet({ sha: e.after }))
              .execute();
          }
          stored.push(row);
        }
        if (delivery) await tx.insertInto('forge_deliveries').values({ project_id: delivery.projectId, delivery_id: delivery.id, event: delivery.event, push_event_id: stored[0]!.id, received_at: now() }).execute();
        return stored;
      });
    },
    async markProcessed(id: string): Promise<void> {
      await db.updateTable('push_events').set({ processed_at: now() }).where('id', '=', id).execute();
    },
    /** Events not processed yet, oldest first. */
    async pending(): Promise<StoredPushEvent[]> {
      return db.selectFrom('push_events').selectAll().where('processed_at', 'is', null).orderBy('received_at').orderBy('id').execute();
    },
    /** The recorded value of each ref of a project. */
    async heads(project: string): Promise<Map<string, string>> {
      const rows = await db.selectFrom('ref_heads').select(['ref', 'sha']).where('project', '=', project).execute();
      return new Map(rows.map((r) => [r.ref, r.sha]));
    },
    /** Records heads as they are without events: repositories from before push events were kept. */
    async seedOnce(read: () => Promise<{ project: string; refs: Map<string, string> }[]>): Promise<boolean> {
      const flag = await db.selectFrom('meta').select('value').where('key', '=', 'ref_heads_seeded').executeTakeFirst();
      if (flag?.value !== '0') return false;
      const repos = await read();
      await db.transaction().execute(async (tx) => {
        for (const { project, refs } of repos) {
          for (const [ref, sha] of refs) {
            await tx.insertInto('ref_heads').values({ project, ref, sha }).onConflict((oc) => oc.columns(['project', 'ref']).doNothing()).execute();
          }
        }
        await tx.updateTable('meta').set({ value: '1' }).where('key', '=', 'ref_heads_seeded').execute();
      });
      return true;
    },
  };
}
