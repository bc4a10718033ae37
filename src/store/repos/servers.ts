// Live servers on one database (0024): each renews its row while it runs, so a starting
// server can tell whether another one is at work before it treats unfinished work as a
// crash's leftovers. A server that died stops renewing; its row goes once it is stale.
import type { Db } from '../database.ts';
import type { ServersTable } from '../schema.ts';
import { now } from './time.ts';

export type ServerRow = ServersTable;

export function serversRepo(db: Db) {
  return {
    async beat(row: Omit<ServerRow, 'seen_at'>): Promise<void> {
      const seen_at = now();
      await db
        .insertInto('servers')
        .values({ ...row, seen_at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at }))
        .execute();
    },
    /** Servers other than `self` seen within `withinMs`; older rows are removed. */
    async othersAlive(self: string, withinMs: number): Promise<ServerRow[]> {
      const cutoff = new Date(Date.now() - withinMs).toISOString();
      await db.deleteFrom('servers').where('seen_at', '<', cutoff).execute();
      return db.selectFrom('servers').selectAll().where('id', '!=', self).orderBy('started_at').execute();
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('servers').where('id', '=', id).execute();
    },
  };
}
