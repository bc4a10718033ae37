// First start: create the admin user and write its token to DATA/admin.token (0600), the
// way a laptop user and the CLI find it without any setup, and give it an initial password
// for the web UI, kept in DATA/admin.password (0600) until someone changes it. (The built-in
// runner has no token: jobs get their own, src/auth/tokens.ts.)
import { writeFileSync, existsSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';
import type { User } from '../store/repos/users.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin.token');
}

/**
 * The token kept in `file` for the user `name`: reused while the store still knows it,
 * else a new one (and the user, if missing) written to the file (0600). A token file that
 * no longer matches (e.g. a database reset by hand) is replaced.
 */
async function ensureUserToken(store: Store, file: string, name: string, role: User['role'], tokenName: string): Promise<{ created: boolean; token: string }> {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (await store.users.byToken(token)) return { created: false, token };
  }
  const user = (await store.users.byName(name)) ?? (await store.users.create(name, role));
  const token = await store.users.createToken(user.id, tokenName);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { created: true, token };
}

export async function ensureAdmin(store: Store, dataDir: string): Promise<{ created: boolean; tokenFile: string; token: string }> {
  const tokenFile = adminTokenPath(dataDir);
  return { tokenFile, ...(await ensureUserToken(store, tokenFile, 'admin', 'admin', 'admin.token')) };
}

export function adminPasswordPath(dataDir: string): string {
  return join(dataDir, 'admin.password');
}

/**
 * The admin's initial password: made (and written to DATA/admin.password) when the admin has
 * none, e.g. on a first start or on an installation older than passwords. Once the password
 * is changed, the file no longer tells the truth and goes.
 */
export async function ensureAdminPassword(store: Store, dataDir: string): Promise<{ created: boolean; file: string; password?: string }> {
  const file = adminPasswordPath(dataDir);
  const admin = await store.users.byName('admin');
  if (!admin) return { created: false, file };
  const hash = await store.users.passwordHash(admin.id);
  if (hash) {
    if (existsSync(file) && !(await verifyPassword(readFileSync(file, 'utf8').trim(), hash))) rmSync(file, { force: true });
    return { created: false, file };
  }
  const password = generatePassword();
  await store.users.setPasswordHash(admin.id, await hashPassword(password));
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { created: true, file, password };
}
