// Image references as users and tools write them: `[registry/]repository[:tag][@digest]`
// (distribution/reference grammar), the one parser for them. The first component is a
// registry when it contains a `.` or `:` or is `localhost`. parseReference applies no Docker
// Hub defaults (`docker.io`, `library/`); registryHost names Docker Hub for a reference
// without a registry, as container tools do when they look up credentials.
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import { parseDigest } from './digest.ts';
import { isValidName, isValidTag } from './names.ts';

interface ImageReference {
  /** `host[:port]`, when the reference names one. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Where a reference without a registry component is pulled from and pushed to. */
const dockerHub = 'docker.io';
const hostPattern = /^[A-Za-z0-9.-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$/;

/** Parses a reference; throws NAME_INVALID, saying which part breaks the grammar. */
export function parseReference(reference: string): ImageReference {
  const invalid = (why: string): SlipwayError =>
    new SlipwayError('NAME_INVALID', `invalid image reference ${JSON.stringify(reference)}: ${why}`);

  const [name, digestText] = splitDigest(reference);
  let digest: string | undefined;
  if (digestText !== undefined) {
    digest = parseDigest(digestText);
    if (digest === undefined) throw invalid('bad digest');
  }

  const { registry, path } = splitRegistry(name);
  if (registry !== undefined && !hostPattern.test(registry)) throw invalid('bad registry host');

  let rest = path;
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

/** Whether `text` is a valid image reference (a validator's check; parseReference says why not). */
export function isImageReference(text: string): boolean {
  try {
    parseReference(text);
    return true;
  } catch (err) {
    if (isSlipwayError(err, 'NAME_INVALID')) return false;
    throw err;
  }
}

/** The inverse of parseReference. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry !== undefined ? `${ref.registry}/` : ''}${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * The registry host a reference is pushed to or pulled from (the key of its credentials in
 * an auth file): its registry component, else Docker Hub. Reads only that component, so
 * it answers for references the caller has not validated.
 */
export function registryHost(reference: string): string {
  return splitRegistry(splitDigest(reference)[0]).registry ?? dockerHub;
}

function splitDigest(reference: string): [name: string, digest: string | undefined] {
  const at = reference.indexOf('@');
  return at < 0 ? [reference, undefined] : [reference.slice(0, at), reference.slice(at + 1)];
}

function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { path: name };
  const first = name.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return isHost ? { registry: first, path: name.slice(slash + 1) } : { path: name };
}
