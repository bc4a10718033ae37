// Browser sessions, stored by the sha256 of their id (the cookie's value). Whether one still
// holds (idle, absolute end, its token) is decided in src/auth/sessions.ts.
import { randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { SessionsTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { hashToken } from './users.ts';

export type Session = SessionsTable;

type NewSession = Pick<Session, 'user_id' | 'scope' | 'token_id' | 'created_at' | 'expires_at'>;

export function sessionsRepo(db: Db) {
  return {
    /** Creates a session and returns the cookie value, its only plain-text copy. */
    async create(session: NewSession): Promise<{ row: Session; cookie: string }> {
      const cookie = randomBytes(32).toString('base64url');
      const row: Session = { ...session, id: newId('ses'), hash: hashToken(cookie), csrf: randomBytes(32).toString('base64url'), last_seen_at: session.created_at };
      await db.insertInto('sessions').values(row).execute();
      return { row, cookie };
    },
    async byCookie(cookie: string): Promise<Session | undefined> {
      return db.selectFrom('sessions').selectAll().where('hash', '=', hashToken(cookie)).executeTakeFirst();
    },
    async touch(id: string, at: string): Promise<void> {
      await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    /** Ends every session of the user but `keep` (the caller's own, after a password change). */
    async deleteForUser(userId: string, keep?: string): Promise<void> {
      let q = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (keep) q = q.where('id', '!=', keep);
      await q.execute();
    },
    /** Sessions past their absolute end or idle since before `idleBefore`. */
    async deleteStale(at: string, idleBefore: string): Promise<void> {
      await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<', idleBefore)])).execute();
    },
  };
}
