// Private temporary files for commands: credentials and scratch files a tool reads by path
// (an --authfile, a rootfs tarball) live in a directory only Slipway's user can enter, and
// are gone when the command is done, whether it succeeded or not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Calls `use` with a fresh `slipway-<name>-*` directory under os.tmpdir() (mkdtemp(3) makes it 0700), then removes it. */
export async function withPrivateDir<T>(name: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `slipway-${name}-`));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes a new file only its owner can read (0600); refuses to replace one that exists. */
export function writePrivateFile(path: string, content: string | Buffer): Promise<void> {
  return writeFile(path, content, { mode: 0o600, flag: 'wx' });
}
