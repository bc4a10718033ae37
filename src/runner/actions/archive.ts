// tar.gz archives for artifacts and caches, made and unpacked by the system `tar` and
// streamed: the archive is never held in memory. File names go to tar on stdin (NUL
// separated), so no list length or odd name is a problem.
import { PassThrough, pipeline as pipe, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExecError } from '../../exec/exec-error.ts';
import { spawnProcess } from '../../exec/spawn-process.ts';
import type { ProcessHandle } from '../../exec/spawn-process.ts';

interface TarOptions {
  /** Keep `..` and absolute names (actions/cache stores paths outside the workspace so). */
  keepPaths?: boolean;
}

interface ArchiveStream {
  stream: Readable;
  /** Resolves when tar exited 0; rejects with its stderr otherwise. */
  done: Promise<void>;
}

async function exit(child: ProcessHandle, what: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-16_384)));
  const { exitCode, signal, error } = await child.closed;
  if (error) throw new ExecError({ command: [...child.argv], exitCode, signal, stdout: '', stderr: error.message }, { message: `${what}: ${error.message}`, cause: error });
  if (exitCode !== 0) throw new ExecError({ command: [...child.argv], exitCode, signal, stdout: '', stderr }, { message: `${what} exited with ${exitCode}: ${stderr.trim().slice(-500)}` });
}

/**
 * `tar czf -` of `names` (relative to `cwd`), as a stream. The output goes through a
 * PassThrough attached at once: Node resumes (and so discards) a child's stdout that nobody
 * reads when the child exits, and a small archive's tar exits before an upload that first
 * looks things up begins to read. Backpressure still holds tar back on a large one.
 */
export function createTarGz(cwd: string, names: string[], options: TarOptions = {}): ArchiveStream {
  const child = spawnProcess(['tar', '-czf', '-', ...(options.keepPaths ? ['-P'] : []), '-C', cwd, '--null', '--no-recursion', '-T', '-'], { stdin: 'pipe' });
  const done = exit(child, 'tar -czf');
  child.stdin!.end(names.map((n) => `${n}\0`).join(''));
  const stream = new PassThrough();
  pipe(child.stdout!, stream, (err) => {
    if (err) stream.destroy(err);
  });
  return { stream, done };
}

/** Unpacks a tar.gz stream into `dir`. */
export async function extractTarGz(archive: NodeJS.ReadableStream, dir: string, options: TarOptions = {}): Promise<void> {
  const child = spawnProcess(['tar', '-xzf', '-', ...(options.keepPaths ? ['-P'] : []), '-C', dir], { stdin: 'pipe', stdout: 'ignore' });
  const done = exit(child, 'tar -xzf');
  await Promise.all([pipeline(archive as Readable, child.stdin!), done]);
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
