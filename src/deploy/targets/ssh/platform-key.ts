// The key Slipway signs in to SSH hosts with: one ed25519 key per installation, made on
// first use in DATA/ssh/ (private key 0600). Users install the public half on their hosts
// (`slipway hosts key` prints it, in authorized_keys format).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface PlatformKey {
  privateKey: string;
  /** `ssh-ed25519 AAAA… slipway@<installation>` */
  publicKey: string;
}

export async function ensurePlatformKey(dataDir: string, comment = 'slipway'): Promise<PlatformKey> {
  const dir = join(dataDir, 'ssh');
  const privatePath = join(dir, 'id_ed25519');
  const publicPath = `${privatePath}.pub`;
  try {
    return { privateKey: await readFile(privatePath, 'utf8'), publicKey: (await readFile(publicPath, 'utf8')).trim() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  // 'wx': two processes starting at once must not overwrite each other's key.
  try {
    await writeFile(privatePath, pair.private, { mode: 0o600, flag: 'wx' });
    await writeFile(publicPath, `${pair.public.trim()}\n`, { mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return ensurePlatformKey(dataDir, comment);
  }
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
