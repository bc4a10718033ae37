// The files a step writes to talk back to the runner: $GITHUB_ENV, $GITHUB_OUTPUT,
// $GITHUB_PATH, $GITHUB_STEP_SUMMARY. Format per GitHub's "Workflow commands" docs:
// `NAME=value` lines, or `NAME<<DELIMITER` … `DELIMITER` for multi-line values.
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { JobPaths } from './job-context.ts';

export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i]!.replace(/\r$/, '') !== delimiter) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`missing delimiter "${delimiter}" for ${name}`);
      out[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`invalid line "${line}": expected NAME=value or NAME<<DELIMITER`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Reads a command file and empties it for the next step. The runner does this as root while
 * the step's side (a job container's root, or the host job's user) could have replaced the
 * file: a symlink to `DATA/admin.token` would have the token read into the job's env or
 * summary and the token truncated, a FIFO would block. So only a regular file is read,
 * through a descriptor opened without following a link, and emptied through the same one.
 */
export function takeFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    if (code === 'ELOOP') throw new Error(`${basename(path)} was replaced by a symbolic link; the runner does not follow it`);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${basename(path)} is no longer a regular file; the runner does not read it`);
    const text = readFileSync(fd, 'utf8');
    ftruncateSync(fd, 0);
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * After a step (or an action's pre or post stage): $GITHUB_ENV into the job's env,
 * $GITHUB_PATH onto its path, and $GITHUB_OUTPUT returned; each file emptied for the next.
 */
export function takeFileCommands(job: { paths: JobPaths; jobEnv: Record<string, string>; extraPath: string[] }): Record<string, string> {
  const { files } = job.paths;
  Object.assign(job.jobEnv, parseKeyValueFile(takeFile(files.env)));
  const outputs = parseKeyValueFile(takeFile(files.output));
  for (const p of takeFile(files.path).split('\n')) if (p.trim()) job.extraPath.push(p.trim());
  return outputs;
}
