import type { Db } from '../database.ts';
import type { KnownHostsTable } from '../schema.ts';
import { now } from './time.ts';

type KnownHost = KnownHostsTable;

export function knownHostsRepo(db: Db) {
  return {
    async get(address: string): Promise<KnownHost | undefined> {
      return db.selectFrom('known_hosts').selectAll().where('address', '=', address).executeTakeFirst();
    },
    async list(): Promise<KnownHost[]> {
      return db.selectFrom('known_hosts').selectAll().orderBy('address').execute();
    },
    /** Pins a key unless one is pinned already; true if this call pinned it. */
    async pin(input: Omit<KnownHost, 'first_seen_at'>): Promise<boolean> {
      const result = await db
        .insertInto('known_hosts')
        .values({ ...input, first_seen_at: now() })
        .onConflict((oc) => oc.column('address').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async forget(address: string): Promise<boolean> {
      const result = await db.deleteFrom('known_hosts').where('address', '=', address).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
