import { randomBytes } from 'node:crypto';

/** Random, URL-safe, sortable-enough id with a readable prefix: `run_5f1c…`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** Project and environment names: what is safe in a URL, a path, a git repo and an image name. */
export const namePattern = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

export function isValidName(name: string): boolean {
  return namePattern.test(name) && !name.includes('..');
}
