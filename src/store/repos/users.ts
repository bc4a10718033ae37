import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { UsersTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

export type User = UsersTable;

/** Tokens are stored hashed: a leaked database does not leak credentials. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function usersRepo(db: Db) {
  return {
    async count(): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async create(name: string, role: User['role']): Promise<User> {
      const user: User = { id: newId('usr'), name, role, created_at: now() };
      await db.insertInto('users').values(user).execute();
      return user;
    },
    async list(): Promise<User[]> {
      return db.selectFrom('users').selectAll().orderBy('created_at').orderBy('name').execute();
    },
    async byName(name: string): Promise<User | undefined> {
      return db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    },
    /** Creates a token and returns its only plain-text copy. */
    async createToken(userId: string, name: string): Promise<string> {
      const token = `slp_${randomBytes(24).toString('base64url')}`;
      await db
        .insertInto('tokens')
        .values({ id: newId('tok'), user_id: userId, name, hash: hashToken(token), created_at: now() })
        .execute();
      return token;
    },
    async byToken(token: string): Promise<User | undefined> {
      return db
        .selectFrom('tokens')
        .innerJoin('users', 'users.id', 'tokens.user_id')
        .select(['users.id', 'users.name', 'users.role', 'users.created_at'])
        .where('tokens.hash', '=', hashToken(token))
        .executeTakeFirst();
    },
  };
}
