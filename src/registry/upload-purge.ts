// Abandoned uploads: sessions a client never finished (it gave up, or the server was killed
// under it) are removed once they are older than `registry.uploads.maxAge` (default 24 h),
// judged by when they started, as Distribution's upload purging does
// (registry/storage/purgeuploads.go: `startedat`). Younger ones stay resumable across a
// restart (§Pushing a blob in chunks: GET the session, then PATCH from its end). Partial
// writes a killed process left behind go too.
import { isSlipwayError } from '../core/errors.ts';
import type { StorageDriver } from '../storage/driver.ts';
import type { UploadHashes } from './upload-hashes.ts';

export interface PurgeReport {
  uploads: number;
  bytes: number;
}

const uploadMarker = /^repositories\/(.+?)\/_uploads\/([A-Za-z0-9-]+)$/;

export async function purgeUploads(o: { storage: StorageDriver; uploads: UploadHashes; maxAgeMs: number; now?: number }): Promise<PurgeReport> {
  const { storage, uploads } = o;
  const cutoff = (o.now ?? Date.now()) - o.maxAgeMs;
  const report: PurgeReport = { uploads: 0, bytes: await storage.removePartialWrites(cutoff) };
  for (const key of await storage.list('repositories/')) {
    const m = uploadMarker.exec(key);
    if (m === null) continue;
    const id = m[2]!;
    if (startedAt(await storage.get(key), (await storage.stat(key))?.modified) >= cutoff) continue;
    if (!uploads.lock(id)) continue; // a request is writing it right now: not abandoned
    try {
      report.bytes += await sessionSize(storage, id);
      await storage.abortUpload(id);
      await storage.delete(key);
      uploads.delete(id);
      report.uploads++;
    } finally {
      uploads.unlock(id);
    }
  }
  return report;
}

/** 0 when the marker outlived its session (a crash between an upload's commit and the marker's removal). */
async function sessionSize(storage: StorageDriver, id: string): Promise<number> {
  try {
    return await storage.uploadSize(id);
  } catch (err) {
    if (isSlipwayError(err, 'BLOB_UPLOAD_UNKNOWN')) return 0;
    throw err;
  }
}

/** The marker's `startedAt` (routes-uploads.ts writes it); its write time if unreadable. */
function startedAt(marker: Buffer | undefined, modified: number | undefined): number {
  try {
    const at = Date.parse((JSON.parse(marker?.toString('utf8') ?? '') as { startedAt?: string }).startedAt ?? '');
    if (Number.isFinite(at)) return at;
  } catch {
    // not JSON: fall back to the write time
  }
  return modified ?? Number.POSITIVE_INFINITY;
}
