// tar.gz archives for artifacts and caches, made and unpacked by the system `tar` and
// streamed: the archive is never held in memory. File names go to tar on stdin (NUL
// separated), so no list length or odd name is a problem.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '../../core/errors.ts';

export interface TarOptions {
  /** Keep `..` and absolute names (actions/cache stores paths outside the workspace so). */
  keepPaths?: boolean;
}

export interface ArchiveStream {
  stream: Readable;
  /** Resolves when tar exited 0; rejects with its stderr otherwise. */
  done: Promise<void>;
}

function exit(child: ReturnType<typeof spawn>, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new SlipwayError('EXEC_FAILED', `${what}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new SlipwayError('EXEC_FAILED', `${what} exited with ${code}: ${stderr.trim().slice(-500)}`))));
  });
}

/** `tar czf -` of `names` (relative to `cwd`), as a stream. */
export function createTarGz(cwd: string, names: string[], options: TarOptions = {}): ArchiveStream {
  const child = spawn('tar', ['-czf', '-', ...(options.keepPaths ? ['-P'] : []), '-C', cwd, '--null', '--no-recursion', '-T', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const done = exit(child, 'tar -czf');
  child.stdin.end(names.map((n) => `${n}\0`).join(''));
  return { stream: child.stdout, done };
}

/** Unpacks a tar.gz stream into `dir`. */
export async function extractTarGz(archive: NodeJS.ReadableStream, dir: string, options: TarOptions = {}): Promise<void> {
  const child = spawn('tar', ['-xzf', '-', ...(options.keepPaths ? ['-P'] : []), '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  const done = exit(child, 'tar -xzf');
  await Promise.all([pipeline(archive as Readable, child.stdin), done]);
}

/** Hands the archive to `send` (an upload); if either side fails, tar is stopped too. */
export async function sendArchive<T>(archive: ArchiveStream, send: (stream: Readable) => Promise<T>): Promise<T> {
  try {
    const [result] = await Promise.all([send(archive.stream), archive.done]);
    return result;
  } catch (err) {
    archive.stream.destroy();
    throw err;
  }
}
