import type { Db } from '../database.ts';
import type { RunnersTable } from '../schema.ts';
import { now } from './time.ts';

/** A runner as the store knows it: labels decoded. */
export interface RunnerRow {
  name: string;
  labels: string[];
  firstSeenAt: string;
  lastSeenAt: string;
}

const decode = (row: RunnersTable): RunnerRow => ({ name: row.name, labels: JSON.parse(row.labels) as string[], firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at });

export function runnersRepo(db: Db) {
  return {
    /** Records that `name` asked for work offering `labels` (or, without labels, heartbeated) now. */
    async seen(name: string, labels?: readonly string[]): Promise<void> {
      const at = now();
      if (labels === undefined) {
        await db.updateTable('runners').set({ last_seen_at: at }).where('name', '=', name).execute();
        return;
      }
      const encoded = JSON.stringify([...labels]);
      await db
        .insertInto('runners')
        .values({ name, labels: encoded, first_seen_at: at, last_seen_at: at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ labels: encoded, last_seen_at: at }))
        .execute();
    },
    async list(): Promise<RunnerRow[]> {
      return (await db.selectFrom('runners').selectAll().orderBy('name').execute()).map(decode);
    },
    /** Runners seen at or after `sinceIso`. */
    async seenSince(sinceIso: string): Promise<RunnerRow[]> {
      return (await db.selectFrom('runners').selectAll().where('last_seen_at', '>=', sinceIso).orderBy('name').execute()).map(decode);
    },
  };
}
