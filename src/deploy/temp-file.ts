// Private files for a command (env files, registry credentials), created through the
// command runner so they land on the host that runs the command, local or remote.
import { SlipwayError } from '../core/errors.ts';
import type { CommandRunner } from './command-runner.ts';

// umask 077: the directory is 0700 and the file 0600 from the moment they exist. The
// content arrives on stdin, so it never appears in a process list.
const createScript = 'umask 077 && d=$(mktemp -d "${TMPDIR:-/tmp}/slipway.XXXXXXXX") && cat > "$d/$1" && printf %s "$d"';

/**
 * Writes `content` to `<private temp dir>/<name>`, calls `use` with the directory, and
 * deletes the directory afterwards whatever happened.
 */
export async function withTempFile<T>(runner: CommandRunner, name: string, content: string, use: (dir: string) => Promise<T>): Promise<T> {
  if (!/^[\w.-]+$/.test(name)) throw new TypeError(`withTempFile: bad file name ${name}`);
  const created = await runner.exec(['sh', '-c', createScript, 'sh', name], { stdin: content });
  const dir = created.stdout.trim();
  if (created.exitCode !== 0 || !dir.startsWith('/')) {
    throw new SlipwayError('EXEC_FAILED', `could not create a temporary file on ${runner.description}: ${created.stderr.trim()}`);
  }
  try {
    return await use(dir);
  } finally {
    await runner.exec(['rm', '-rf', '--', dir]);
  }
}
