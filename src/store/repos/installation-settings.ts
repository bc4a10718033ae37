// Facts of the installation (0024) that every server on the database checks itself against.
import type { Db } from '../database.ts';

export function installationSettingsRepo(db: Db) {
  return {
    /** The stored value of `key`, storing `value` first if there is none (the first server's wins). */
    async getOrSet(key: string, value: string): Promise<string> {
      await db.insertInto('installation_settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const row = await db.selectFrom('installation_settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
