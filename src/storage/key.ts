// Key and upload-id syntax shared by every driver, so a key means the same on each backend
// and can never escape a driver's root (no `..`, no absolute paths).
import { SlipwayError } from '../core/errors.ts';

const segment = /^[A-Za-z0-9._:-]+$/;
const uploadId = /^[A-Za-z0-9-]{1,128}$/;

function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((s) => segment.test(s) && s !== '.' && s !== '..');
}

/** Throws INTERNAL: keys come from the registry's own layout, so a bad one is a bug. */
export function assertKey(key: string): void {
  if (!isValidKey(key)) throw new SlipwayError('INTERNAL', `invalid storage key: ${JSON.stringify(key)}`);
}

/** Upload ids arrive in URLs; a malformed one is simply unknown. */
export function assertUploadId(id: string): void {
  if (!uploadId.test(id)) throw new SlipwayError('BLOB_UPLOAD_UNKNOWN');
}

/** `prefix` may be empty or end mid-segment (`blobs/sha256/ab`). */
export function assertPrefix(prefix: string): void {
  const cut = prefix.lastIndexOf('/');
  const partial = prefix.slice(cut + 1);
  if (cut >= 0) assertKey(prefix.slice(0, cut));
  if (!/^[A-Za-z0-9._:-]*$/.test(partial)) assertKey(prefix);
}
