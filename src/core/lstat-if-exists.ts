// A file that may be absent: ENOENT (or ENOTDIR on the way) means "not there"; any other
// error (permissions, I/O) is a real failure and is thrown.
import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export async function lstatIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
