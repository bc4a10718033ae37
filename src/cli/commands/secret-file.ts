// A secret given as a file (`--secret-file F`, `-` for stdin), so it never appears in argv
// or shell history; one trailing newline is removed, as `echo … > F` adds one.
import { readFile } from 'node:fs/promises';
import { CliError } from '../client.ts';
import { readSecret } from './read-secret.ts';

export async function readSecretFile(path: string, option: string): Promise<string> {
  const text = path === '-' ? await readSecret(`${option}: `) : await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`${option} ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 2);
  });
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new CliError(`${option} ${path}: the file is empty`, 2);
  return value;
}
