// The key of Slipway's build cache: a SHA-256 over everything a build reads — the
// Containerfile's bytes, the resolved build args, the timestamp, the local image ID of each
// base it names and the context directory's files. Two builds with the same key produce the
// same image (builds are reproducible, see containers-builder.ts), so an image stored under
// the key can stand in for a build; anything that would change the image changes the key.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRequest } from './builder.ts';

/** Bumped when what a key covers changes, so keys of older Slipways never match. */
const keyVersion = 'slipway-build-key/1';

/** The `FROM` references of a Containerfile with `${NAME}`/`$NAME` from ARG defaults and build args. */
export function baseReferences(containerfile: string, buildArgs: Record<string, string>): string[] {
  const values: Record<string, string> = {};
  const refs: string[] = [];
  for (const line of containerfile.split('\n')) {
    // Only ARGs before the first FROM may be used in FROM lines (Dockerfile reference, "Understand how ARG and FROM interact").
    const arg = refs.length === 0 ? /^\s*ARG\s+(?<name>[A-Za-z_]\w*)(?:=(?<value>\S*))?/i.exec(line)?.groups : undefined;
    if (arg?.name) values[arg.name] = buildArgs[arg.name] ?? unquote(arg.value ?? '');
    const from = /^\s*FROM\s+(?:--\S+\s+)*(?<ref>\S+)/i.exec(line)?.groups?.ref;
    if (from) refs.push(from.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (_m, name: string) => values[name] ?? ''));
  }
  return refs;
}

function unquote(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}

interface KeyInputs {
  request: BuildRequest;
  /** Local image ID of a base reference, or undefined when there is no such image (a stage name, or one to pull). */
  imageId(reference: string): Promise<string | undefined>;
}

/** Length-prefixed fields: no two different sequences of fields hash alike. */
const fieldsOf = (hash: Hash) => (name: string, value: string) => hash.update(`${name}\0${value.length}\0${value}\0`);

/** SHA-256 over `salt` and the tree under `dir` as hashTree reads it (a Docker action's image tag). */
export async function treeHash(dir: string, salt: string): Promise<string> {
  const hash = createHash('sha256');
  const field = fieldsOf(hash);
  field('salt', salt);
  await hashTree(dir, '', field, hash);
  return hash.digest('hex');
}

export async function buildKey({ request, imageId }: KeyInputs): Promise<string> {
  const hash = createHash('sha256');
  const field = fieldsOf(hash);
  field('version', keyVersion);
  const containerfile = await readFile(request.containerfile, 'utf8');
  field('containerfile', containerfile);
  field('timestamp', request.timestamp === undefined ? 'now' : String(request.timestamp));
  for (const name of Object.keys(request.buildArgs).sort()) field(`arg ${name}`, request.buildArgs[name] ?? '');
  for (const ref of baseReferences(containerfile, request.buildArgs)) field(`from ${ref}`, (await imageId(ref)) ?? 'absent');
  await hashTree(request.contextDir, '', field, hash);
  return hash.digest('hex');
}

/**
 * Every entry under `dir` in name order: path, type, mode, and the file's bytes or the link's
 * target. The context root's `.git` is left out: a fresh checkout of the same commit differs
 * there (index stat data, fetch state) but not in what it holds, and with the commit time in
 * the key only a checkout of the same commit could match. Ignore files are not applied, so the
 * key is stricter than the build (a change to an ignored file costs a rebuild, never a wrong hit).
 */
async function hashTree(dir: string, prefix: string, field: (name: string, value: string) => void, hash: Hash): Promise<void> {
  const names = (await readdir(join(dir, prefix))).sort();
  for (const name of names) {
    if (prefix === '' && name === '.git') continue;
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const info = await lstat(join(dir, path));
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isDirectory()) {
      field(`dir ${path}`, mode);
      await hashTree(dir, path, field, hash);
    } else if (info.isSymbolicLink()) {
      field(`link ${path}`, await readlink(join(dir, path)));
    } else if (info.isFile()) {
      field(`file ${path}`, `${mode} ${info.size}`);
      for await (const chunk of createReadStream(join(dir, path))) hash.update(chunk as Buffer);
    } else {
      field(`other ${path}`, mode);
    }
  }
}
