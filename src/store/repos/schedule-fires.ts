// Which server fired a scheduled workflow's minute (0024): every server ticks every minute,
// the first to insert the (project, workflow, minute) row starts the run, the others see the
// key taken. A row rather than an advisory lock because the fact must outlive the moment:
// a server that ticks late, or restarts within the minute, still finds the minute taken,
// and it works the same on SQLite.
import type { Db } from '../database.ts';

export function scheduleFiresRepo(db: Db) {
  return {
    /** True if this call took the minute (the run is this server's to start). */
    async take(project: string, workflow: string, minute: Date, server: string): Promise<boolean> {
      const r = await db
        .insertInto('schedule_fires')
        .values({ project, workflow, minute: minute.toISOString(), server })
        .onConflict((oc) => oc.columns(['project', 'workflow', 'minute']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /** Forgets minutes before `before`: no server ticks that late. */
    async prune(before: Date): Promise<void> {
      await db.deleteFrom('schedule_fires').where('minute', '<', before.toISOString()).execute();
    },
  };
}
