// First start: create the admin user and write its token to DATA/admin.token (0600), the
// way a laptop user and the CLI find it without any setup.
import { writeFileSync, existsSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.ts';

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin.token');
}

export async function ensureAdmin(store: Store, dataDir: string): Promise<{ created: boolean; tokenFile: string }> {
  const tokenFile = adminTokenPath(dataDir);
  if ((await store.users.count()) > 0) {
    // A token file that no longer matches (e.g. a database reset by hand) is replaced below.
    if (existsSync(tokenFile) && (await store.users.byToken(readFileSync(tokenFile, 'utf8').trim()))) {
      return { created: false, tokenFile };
    }
  }
  const admin = (await store.users.byName('admin')) ?? (await store.users.create('admin', 'admin'));
  const token = await store.users.createToken(admin.id, 'admin.token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  return { created: true, tokenFile };
}
