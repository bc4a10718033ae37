// Image references as users and tools write them: `[registry/]repository[:tag][@digest]`
// (distribution/reference grammar). The first component is a registry when it contains a
// `.` or `:` or is `localhost`; no Docker Hub defaults (`library/`) are applied.
import { SlipwayError } from '../core/errors.ts';
import { parseDigest } from './digest.ts';
import { isValidName, isValidTag } from './names.ts';

export interface ImageReference {
  /** `host[:port]`, when the reference names one. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses a reference; throws NAME_INVALID when any part breaks the grammar. */
export function parseReference(reference: string): ImageReference {
  const invalid = (why: string): SlipwayError =>
    new SlipwayError('NAME_INVALID', `invalid image reference ${JSON.stringify(reference)}: ${why}`);

  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = parseDigest(rest.slice(at + 1));
    if (digest === undefined) throw invalid('bad digest');
    rest = rest.slice(0, at);
  }

  let registry: string | undefined;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!/^[A-Za-z0-9.-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$/.test(first)) throw invalid('bad registry host');
    registry = first;
    rest = rest.slice(slash + 1);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    if (!isValidTag(tag)) throw invalid('bad tag');
    rest = rest.slice(0, colon);
  }
  if (!isValidName(rest)) throw invalid('bad repository name');

  return {
    ...(registry !== undefined && { registry }),
    repository: rest,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** The inverse of parseReference. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry !== undefined ? `${ref.registry}/` : ''}${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
