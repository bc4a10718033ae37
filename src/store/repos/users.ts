import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database.ts';
import type { TokensTable, UsersTable } from '../schema.ts';
import { newId } from '../../core/ids.ts';
import { now } from './time.ts';

export type User = UsersTable;
export type Token = TokensTable;

export function isExpired(expiresAt: string | null, at = Date.now()): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= at;
}

/** Tokens are stored hashed: a leaked database does not leak credentials. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function usersRepo(db: Db) {
  /** Creates a token: its row and its only plain-text copy. */
  async function issueToken(userId: string, name: string, options: { scope?: Token['scope']; expiresAt?: string } = {}): Promise<{ row: Token; token: string }> {
    const token = `slp_${randomBytes(24).toString('base64url')}`;
    const row: Token = {
      id: newId('tok'), user_id: userId, name, hash: hashToken(token), created_at: now(),
      scope: options.scope ?? 'admin', expires_at: options.expiresAt ?? null, revoked_at: null, last_used_at: null,
    };
    await db.insertInto('tokens').values(row).execute();
    return { row, token };
  }
  /** A token's row and user, revoked or expired ones too (so a refusal can say which). */
  async function tokenOwner(token: string): Promise<{ user: User; token: Token } | undefined> {
    const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hashToken(token)).executeTakeFirst();
    if (!row) return undefined;
    const user = await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
    return user && { user, token: row };
  }
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
    async byId(id: string): Promise<User | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async tokenById(id: string): Promise<Token | undefined> {
      return db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Creates a token and returns its only plain-text copy. */
    async createToken(userId: string, name: string, options: { scope?: Token['scope']; expiresAt?: string } = {}): Promise<string> {
      return (await issueToken(userId, name, options)).token;
    },
    issueToken,
    /** The user of a token that is neither revoked nor expired. */
    async byToken(token: string): Promise<User | undefined> {
      const found = await tokenOwner(token);
      return found && !found.token.revoked_at && !isExpired(found.token.expires_at) ? found.user : undefined;
    },
    tokenOwner,
    async listTokens(userId: string): Promise<Token[]> {
      return db.selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('name').execute();
    },
    /** The user's tokens whose id or name is `idOrName`. */
    async findTokens(userId: string, idOrName: string): Promise<Token[]> {
      return db.selectFrom('tokens').selectAll().where('user_id', '=', userId).where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).execute();
    },
    async revokeToken(id: string): Promise<void> {
      await db.updateTable('tokens').set({ revoked_at: now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    /** The user's password hash (src/auth/passwords.ts), if they have one. */
    async passwordHash(userId: string): Promise<string | undefined> {
      return (await db.selectFrom('user_passwords').select('hash').where('user_id', '=', userId).executeTakeFirst())?.hash;
    },
    async setPasswordHash(userId: string, hash: string): Promise<void> {
      const at = now();
      await db.insertInto('user_passwords').values({ user_id: userId, hash, updated_at: at }).onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at: at })).execute();
    },
    /** When the token was last used, for `tokens list`; at most once a minute per token. */
    async touchToken(id: string, at = now()): Promise<void> {
      const minuteAgo = new Date(Date.parse(at) - 60_000).toISOString();
      await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', minuteAgo)])).execute();
    },
  };
}
