// Tokens that are not a user's: one per running job (its project's repository, images and
// run) and one per deployment (pull of the release's repository). Stored hashed like user
// tokens; whether one still holds is decided in src/auth/tokens.ts from its job or
// deployment, so a job that ended or a deployment that finished needs no sweep.
import { randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { GrantTokensTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { hashToken } from './users.ts';
import { now } from './time.ts';

export type GrantToken = GrantTokensTable;

type NewGrant = Omit<GrantToken, 'id' | 'hash' | 'created_at' | 'revoked_at'>;

export function grantTokensRepo(db: Db) {
  return {
    /** Creates a grant and returns its only plain-text copy. */
    async create(grant: NewGrant): Promise<{ row: GrantToken; token: string }> {
      const token = `slp${grant.kind === 'job' ? 'j' : 'd'}_${randomBytes(24).toString('base64url')}`;
      const row: GrantToken = { ...grant, id: newId('grt'), hash: hashToken(token), created_at: now(), revoked_at: null };
      await db.insertInto('grant_tokens').values(row).execute();
      return { row, token };
    },
    async byToken(token: string): Promise<GrantToken | undefined> {
      return db.selectFrom('grant_tokens').selectAll().where('hash', '=', hashToken(token)).executeTakeFirst();
    },
    async revokeForJob(jobId: string): Promise<void> {
      await db.updateTable('grant_tokens').set({ revoked_at: now() }).where('job_id', '=', jobId).where('revoked_at', 'is', null).execute();
    },
    async revoke(id: string): Promise<void> {
      await db.updateTable('grant_tokens').set({ revoked_at: now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
  };
}
