// Remote runners' credentials (0023): the plain text exists once, in what create returns;
// the store keeps its hash. Creating one for a name revokes that name's earlier ones, so a
// re-registered machine does not leave a second live key behind.
import { randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { RunnerCredentialsTable, RunnerRegistrationTokensTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { hashToken } from './users.ts';
import { now } from './time.ts';
import type { RunnerCache } from './runner-cache.ts';

export type RunnerCredential = RunnerCredentialsTable;
export type RunnerRegistrationToken = RunnerRegistrationTokensTable;

/** Runner credentials start so, like `slpj_` job tokens, so resolving one needs no lookup of every table. */
export const runnerCredentialPrefix = 'slpr_';
export const registrationTokenPrefix = 'slpg_';

/** `cache`: live credentials are kept a few seconds (runner-cache.ts says why that is safe); what this repo changes is forgotten there. */
export function runnerCredentialsRepo(db: Db, cache: RunnerCache) {
  return {
    async create(name: string): Promise<{ row: RunnerCredential; token: string }> {
      const token = `${runnerCredentialPrefix}${randomBytes(24).toString('base64url')}`;
      const row: RunnerCredential = { id: newId('rnc'), name, hash: hashToken(token), created_at: now(), revoked_at: null };
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('runner_credentials').set({ revoked_at: row.created_at }).where('name', '=', name).where('revoked_at', 'is', null).execute();
        await tx.insertInto('runner_credentials').values(row).execute();
      });
      cache.changed(name);
      return { row, token };
    },
    /** The credential of `token`, revoked or not; a live one may have been kept up to the cache's TTL (revoked on another server meanwhile, and its relay lost). */
    async byToken(token: string): Promise<RunnerCredential | undefined> {
      const hash = hashToken(token);
      return cache.credentials.get(hash, () => db.selectFrom('runner_credentials').selectAll().where('hash', '=', hash).executeTakeFirst(), (c) => !c.revoked_at);
    },
    async list(): Promise<RunnerCredential[]> {
      return db.selectFrom('runner_credentials').selectAll().where('revoked_at', 'is', null).orderBy('name').execute();
    },
    async createRegistration(createdBy: string, expiresAt: string | null): Promise<{ row: RunnerRegistrationToken; token: string }> {
      const token = `${registrationTokenPrefix}${randomBytes(24).toString('base64url')}`;
      const row: RunnerRegistrationToken = { id: newId('rrt'), hash: hashToken(token), created_by: createdBy, created_at: now(), expires_at: expiresAt, revoked_at: null };
      await db.insertInto('runner_registration_tokens').values(row).execute();
      return { row, token };
    },
    async registrationByToken(token: string): Promise<RunnerRegistrationToken | undefined> {
      return db.selectFrom('runner_registration_tokens').selectAll().where('hash', '=', hashToken(token)).executeTakeFirst();
    },
    async registrations(): Promise<RunnerRegistrationToken[]> {
      return db.selectFrom('runner_registration_tokens').selectAll().orderBy('created_at').execute();
    },
    async revokeRegistration(id: string): Promise<boolean> {
      const r = await db.updateTable('runner_registration_tokens').set({ revoked_at: now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeName(name: string): Promise<number> {
      const r = await db.updateTable('runner_credentials').set({ revoked_at: now() }).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      cache.changed(name);
      return Number(r.numUpdatedRows);
    },
  };
}
