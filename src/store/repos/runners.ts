import type { Selectable } from 'kysely';
import type { Db } from '../database.ts';
import type { RunnersTable } from '../schema.ts';
import { now } from './time.ts';
import type { RunnerCache } from './runner-cache.ts';

/** What an admin set (0026): `paused` and `draining` runners are given no new job. */
export const runnerStates = ['active', 'paused', 'draining'] as const;
export type RunnerState = (typeof runnerStates)[number];

/** A runner as the store knows it: labels decoded. */
export interface RunnerRow {
  name: string;
  labels: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  state: RunnerState;
  /** How many jobs it said it runs at once, and its Slipway version (remote runners, when they connect). */
  concurrency: number | null;
  version: string | null;
}

/** A state this version does not know (a newer server wrote it) counts as 'active'. */
const stateOf = (state: string): RunnerState => ((runnerStates as readonly string[]).includes(state) ? (state as RunnerState) : 'active');

const decode = (row: Selectable<RunnersTable>): RunnerRow => ({
  name: row.name, labels: JSON.parse(row.labels) as string[], firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at,
  state: stateOf(row.state), concurrency: row.concurrency, version: row.version,
});

/** `cache`: states are kept a few seconds (runner-cache.ts says why that is safe); what this repo changes is forgotten there. */
export function runnersRepo(db: Db, cache: RunnerCache) {
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
    async get(name: string): Promise<RunnerRow | undefined> {
      const row = await db.selectFrom('runners').selectAll().where('name', '=', name).executeTakeFirst();
      return row && decode(row);
    },
    /** What an admin set for `name` ('active' for a runner not known yet), read on every claim: kept up to the cache's TTL. */
    async state(name: string): Promise<RunnerState> {
      const read = async () => stateOf((await db.selectFrom('runners').select('state').where('name', '=', name).executeTakeFirst())?.state ?? 'active');
      return (await cache.states.get(name, read))!;
    },
    /** Runners seen at or after `sinceIso`. */
    async seenSince(sinceIso: string): Promise<RunnerRow[]> {
      return (await db.selectFrom('runners').selectAll().where('last_seen_at', '>=', sinceIso).orderBy('name').execute()).map(decode);
    },
    /** An admin's pause, drain or resume; false when no runner has that name. */
    async setState(name: string, state: RunnerState): Promise<boolean> {
      const r = await db.updateTable('runners').set({ state }).where('name', '=', name).executeTakeFirst();
      cache.changed(name);
      return Number(r.numUpdatedRows) > 0;
    },
    /** What a connecting runner says of itself. */
    async describe(name: string, about: { concurrency: number; version: string }): Promise<void> {
      await db.updateTable('runners').set({ concurrency: about.concurrency, version: about.version, last_seen_at: now() }).where('name', '=', name).execute();
    },
    /** Forgets a removed runner (its credential is revoked apart); false when there was none. */
    async remove(name: string): Promise<boolean> {
      const r = await db.deleteFrom('runners').where('name', '=', name).executeTakeFirst();
      cache.changed(name);
      return Number(r.numDeletedRows) > 0;
    },
  };
}
