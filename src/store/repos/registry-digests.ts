// What the registry's garbage collector sees of every server's requests (0024; the model is
// in src/registry/digest-use.ts, which calls this only when servers share one database).
// A request records its hold before it checks the digest's objects, and a collector records
// its deletion before it checks for holds and uses: each writes, then reads the other's
// table, so of a request and a deletion racing for one digest at least one sees the other.
import type { Db } from '../database.ts';
import { newId } from '../../core/ids.ts';

/** A deletion older than this was left by a collector that died: requests stop waiting for it. */
const staleDeletionMs = 5 * 60_000;

export function registryDigestsRepo(db: Db) {
  return {
    async hold(digests: readonly string[], ttlMs: number): Promise<string[]> {
      const expires_at = new Date(Date.now() + ttlMs).toISOString();
      const rows = digests.map((digest) => ({ id: newId('rdh'), digest, expires_at }));
      if (rows.length > 0) await db.insertInto('registry_digest_holds').values(rows).execute();
      return rows.map((r) => r.id);
    },
    /** Ends holds, recording the use first: there is no moment when a collector sees neither. */
    async release(ids: readonly string[], digests: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      const used_at = new Date().toISOString();
      await db.transaction().execute(async (tx) => {
        for (const digest of digests) {
          await tx.insertInto('registry_digest_uses').values({ digest, used_at }).onConflict((oc) => oc.column('digest').doUpdateSet({ used_at })).execute();
        }
        await tx.deleteFrom('registry_digest_holds').where('id', 'in', ids).execute();
      });
    },
    /** Those of `digests` whose deletion some collector has under way. */
    async deleting(digests: readonly string[]): Promise<string[]> {
      if (digests.length === 0) return [];
      const fresh = new Date(Date.now() - staleDeletionMs).toISOString();
      const rows = await db.selectFrom('registry_digest_deletions').select('digest').where('digest', 'in', digests).where('started_at', '>', fresh).execute();
      return rows.map((r) => r.digest);
    },
    /** Marks `digest` as being deleted; false when another collector's fresh mark is there. */
    async startDeletion(digest: string): Promise<boolean> {
      const fresh = new Date(Date.now() - staleDeletionMs).toISOString();
      await db.deleteFrom('registry_digest_deletions').where('digest', '=', digest).where('started_at', '<=', fresh).execute();
      const r = await db.insertInto('registry_digest_deletions').values({ digest, started_at: new Date().toISOString() }).onConflict((oc) => oc.column('digest').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async endDeletion(digest: string): Promise<void> {
      await db.deleteFrom('registry_digest_deletions').where('digest', '=', digest).execute();
    },
    /** Held now (an unexpired hold), or used at or after `usedSince` (ms). */
    async inUse(digest: string, usedSince: number): Promise<boolean> {
      const nowIso = new Date().toISOString();
      const held = await db.selectFrom('registry_digest_holds').select('id').where('digest', '=', digest).where('expires_at', '>', nowIso).limit(1).executeTakeFirst();
      if (held) return true;
      const use = await db.selectFrom('registry_digest_uses').select('used_at').where('digest', '=', digest).executeTakeFirst();
      return use !== undefined && Date.parse(use.used_at) >= usedSince;
    },
    /** Forgets uses before `before` and expired holds: they keep nothing any more. */
    async prune(before: number): Promise<void> {
      await db.deleteFrom('registry_digest_uses').where('used_at', '<', new Date(before).toISOString()).execute();
      await db.deleteFrom('registry_digest_holds').where('expires_at', '<', new Date().toISOString()).execute();
    },
  };
}

export type RegistryDigests = ReturnType<typeof registryDigestsRepo>;
