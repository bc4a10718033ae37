// Commands that need a private file (an env file, registry credentials) on the host that
// runs them, local or remote, in one round trip: the content arrives on the command's
// stdin (so it never appears in a process list), is written to a 0600 file in a fresh
// 0700 temp dir, and the dir is removed when the command ends, whatever happened.
import type { HostShell, ExecOptions, ExecResult } from './host-shell.ts';

// $1 is the file's name; after `shift`, "$@" are the script's own arguments and the file
// is "$d/<name>".
const prologue = [
  'umask 077',
  'd=$(mktemp -d "${TMPDIR:-/tmp}/slipway.XXXXXXXX") || exit 125',
  `trap 'rm -rf "$d"' EXIT`,
  'cat > "$d/$1" || exit 125',
  'shift',
].join('; ');

/**
 * Runs the POSIX sh `script` with `args` as "$@", after writing `content` to "$d/<name>".
 * The script's exit code is the command's.
 */
export function execWithPrivateFile(shell: HostShell, file: { name: string; content: string }, script: string, args: string[], options: Omit<ExecOptions, 'stdin'> = {}): Promise<ExecResult> {
  if (!/^[\w.-]+$/.test(file.name)) throw new TypeError(`execWithPrivateFile: bad file name ${file.name}`);
  return shell.exec(['sh', '-c', `${prologue}; ${script}`, 'sh', file.name, ...args], { ...options, stdin: file.content });
}
