// Reading /proc, the one way: the processes listed now, and a file of one of them. A
// process may exit between the listing and the read, or belong to another user; those
// reads answer undefined. Any other failure is an error, thrown, not taken for "gone".
import { readdir, readFile } from 'node:fs/promises';

const goneOrForeign = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM']);

/** The pids /proc lists; none where there is no /proc (not Linux). */
export async function procPids(): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

/** `/proc/<pid>/<file>`, or undefined when the process is gone or not ours to read. */
export async function readProcFile(pid: number, file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(`/proc/${pid}/${file}`);
  } catch (err) {
    if (goneOrForeign.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

/** A zombie's `stat` says `Z` right after its `(comm)`. */
export const isZombieStat = (stat: string): boolean => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
