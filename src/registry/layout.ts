// Where the registry keeps things in its StorageDriver. Blobs (layers, configs and manifest
// bytes) are stored once, by digest; repositories hold small link objects, so a blob is
// visible in a repository only after it was pushed or mounted there. Repository names have
// no component starting with `_`, so `_blobs`, `_manifests`, `_tags`, `_uploads` cannot
// collide with a nested repository (`project/image` lives in `repositories/project/image/`).
import { digestHex } from './digest.ts';

/** The bytes of a blob or manifest. */
export const blobKey = (digest: string): string => `blobs/sha256/${digestHex(digest)}`;

/** Empty object: `name` may read this blob. */
export const repoBlobKey = (name: string, digest: string): string =>
  `repositories/${name}/_blobs/sha256/${digestHex(digest)}`;

/** A manifest revision in `name`; its content is the manifest's media type. */
export const manifestKey = (name: string, digest: string): string =>
  `repositories/${name}/_manifests/sha256/${digestHex(digest)}`;
export const manifestsPrefix = (name: string): string => `repositories/${name}/_manifests/`;

/** A tag; its content is the digest it points at. */
export const tagKey = (name: string, tag: string): string => `repositories/${name}/_tags/${tag}`;
export const tagsPrefix = (name: string): string => `repositories/${name}/_tags/`;

/** Marks upload `id` as started in `name` (its bytes live in the driver's upload session). */
export const uploadKey = (name: string, id: string): string => `repositories/${name}/_uploads/${id}`;
