// Name, tag and reference grammar from distribution-spec §Pulling manifests / §Overview:
// a repository name is `/`-separated components of lower-case alphanumerics joined by
// `.`, `_`, `__` or `-`s; a tag is up to 128 of `[a-zA-Z0-9_.-]`, not starting with `.`/`-`.
import { SlipwayError } from '../core/errors.ts';
import { parseDigest } from './digest.ts';

const component = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const namePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Distribution limits the whole name to 255 characters (distribution-spec §Overview). */
const maxNameLength = 255;

export function isValidName(name: string): boolean {
  return name.length <= maxNameLength && namePattern.test(name);
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}

export function assertName(name: string): void {
  if (!isValidName(name)) throw new SlipwayError('NAME_INVALID', `invalid repository name: ${name}`, { detail: { name } });
}

/** The `<reference>` of `/v2/<name>/manifests/<reference>`: a tag or a digest. */
export type ManifestReference = { tag: string; digest?: undefined } | { digest: string; tag?: undefined };

export function parseManifestReference(reference: string): ManifestReference {
  if (reference.includes(':')) {
    const digest = parseDigest(reference);
    if (digest === undefined) throw new SlipwayError('DIGEST_INVALID', `invalid digest: ${reference}`);
    return { digest };
  }
  if (!isValidTag(reference)) throw new SlipwayError('MANIFEST_INVALID', `invalid tag: ${reference}`, { detail: { tag: reference } });
  return { tag: reference };
}
