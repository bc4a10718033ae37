// Signing in to the web UI (issue 11): a password per user, and browser sessions. The
// password hash lives in its own table rather than on `users`, so no code that reads or
// returns a user row (and many do, with selectAll) can carry a hash along by accident.
// Sessions are stored by the sha256 of their id, like tokens: a leaked database holds no
// usable cookie.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_passwords')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    // `scrypt$N$r$p$salt$hash` (src/auth/passwords.ts)
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('csrf', 'text', (c) => c.notNull())
    // What the session may do of what its user may: admin after a password, the token's scope after a token.
    .addColumn('scope', 'text', (c) => c.notNull())
    // The token it was opened with: the session ends with it (revoked or expired).
    .addColumn('token_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('user_passwords').execute();
}
