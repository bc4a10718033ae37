// What every route handler gets, and the repository-level blob checks they share.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageDriver } from '../storage/driver.ts';
import type { UploadHashes } from './upload-hashes.ts';
import { blobKey, repoBlobKey } from './layout.ts';

export interface RouteContext {
  storage: StorageDriver;
  uploads: UploadHashes;
  /**
   * Holds digests this request relies on until it is answered: garbage collection does not
   * delete them meanwhile, and a deletion already under way ends first (digest-use.ts).
   * Call it before checking that what the digests name exists.
   */
  hold(digests: Iterable<string>): Promise<void>;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The validated repository name. */
  name: string;
}

/** Size of `digest` if repository `name` may read it, else undefined. */
export async function repoBlobSize(storage: StorageDriver, name: string, digest: string): Promise<number | undefined> {
  if ((await storage.stat(repoBlobKey(name, digest))) === undefined) return undefined;
  return (await storage.stat(blobKey(digest)))?.size;
}

/** Makes a stored blob readable in repository `name`. */
export async function linkBlob(storage: StorageDriver, name: string, digest: string): Promise<void> {
  await storage.put(repoBlobKey(name, digest), new Uint8Array());
}
