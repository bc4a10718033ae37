// Where the registry keeps things in its StorageDriver. Blobs (layers, configs and manifest
// bytes) are stored once, by digest; repositories hold small link objects, so a blob is
// visible in a repository only after it was pushed or mounted there. Repository names have
// no component starting with `_`, so `_blobs`, `_manifests`, `_tags`, `_uploads`,
// `_referrers` cannot collide with a nested repository (`project/image` lives in
// `repositories/project/image/`).
import { digestAlgorithm, digestHex } from './digest.ts';

/** `sha256/<hex>` or `sha512/<hex>`: the algorithm is part of every digest-named key. */
const digestPath = (digest: string): string => `${digestAlgorithm(digest)}/${digestHex(digest)}`;

/** The bytes of a blob or manifest. */
export const blobKey = (digest: string): string => `blobs/${digestPath(digest)}`;

/** Empty object: `name` may read this blob. */
export const repoBlobKey = (name: string, digest: string): string =>
  `repositories/${name}/_blobs/${digestPath(digest)}`;

/** A manifest revision in `name`; its content is the manifest's media type. */
export const manifestKey = (name: string, digest: string): string =>
  `repositories/${name}/_manifests/${digestPath(digest)}`;
export const manifestsPrefix = (name: string): string => `repositories/${name}/_manifests/`;

/** A tag; its content is the digest it points at. */
export const tagKey = (name: string, tag: string): string => `repositories/${name}/_tags/${tag}`;
export const tagsPrefix = (name: string): string => `repositories/${name}/_tags/`;

/** Marks upload `id` as started in `name` (its bytes live in the driver's upload session). */
export const uploadKey = (name: string, id: string): string => `repositories/${name}/_uploads/${id}`;

/**
 * Manifest `digest` in `name` has `subject` (distribution-spec §Listing referrers); its
 * content is the descriptor the referrers API lists. Written before the manifest itself,
 * so a reader checks that the manifest exists.
 */
export const referrerKey = (name: string, subject: string, digest: string): string =>
  `${referrersPrefix(name, subject)}${digestPath(digest)}`;
export const referrersPrefix = (name: string, subject: string): string =>
  `repositories/${name}/_referrers/${digestPath(subject)}/`;

/** Everything repository `name` holds itself (not the repositories nested under it). */
export const repositoryPrefix = (name: string): string => `repositories/${name}/_`;

/** Every repository's metadata lives under here (the catalog walks it). */
export const repositoriesPrefix = 'repositories/';
