// GET /v2/_catalog (distribution-spec §Listing repositories, an extension kept from
// distribution's API): the repositories holding at least one manifest, in lexical order,
// paginated by `n` and `last` with a `Link: <…>; rel="next"` header. Only repositories the
// caller may pull are listed (and counted): the server passes that check in, so a member
// of one project never learns the names of another's images.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlipwayError } from '../core/errors.ts';
import { sendJson } from './http.ts';
import { repositoriesPrefix } from './layout.ts';
import type { StorageDriver } from '../storage/driver.ts';

/** Whether the caller may pull from `repository`. */
export type CanPull = (repository: string) => Promise<boolean>;

const manifestsMarker = '/_manifests/';

/** Every repository with a manifest, sorted. */
async function listRepositories(storage: StorageDriver): Promise<string[]> {
  const names = new Set<string>();
  for (const key of await storage.list(repositoriesPrefix)) {
    const at = key.indexOf(manifestsMarker, repositoriesPrefix.length);
    if (at > 0) names.add(key.slice(repositoriesPrefix.length, at));
  }
  return [...names].sort();
}

export async function handleCatalog(storage: StorageDriver, req: IncomingMessage, res: ServerResponse, url: URL, canPull: CanPull): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on the catalog`);
  const { n, last } = pageParams(url);
  const page: string[] = [];
  let more = false;
  for (const name of await listRepositories(storage)) {
    if (last !== undefined && name <= last) continue;
    if (!(await canPull(name))) continue;
    if (n !== undefined && page.length === n) {
      more = true;
      break;
    }
    page.push(name);
  }
  const lastOfPage = page.at(-1);
  const headers: Record<string, string> =
    more && lastOfPage !== undefined ? { Link: `</v2/_catalog?n=${n}&last=${encodeURIComponent(lastOfPage)}>; rel="next"` } : {};
  sendJson(req, res, 200, { repositories: page }, headers);
}

/** `n` (a page size, a non-negative integer) and `last` (where the previous page ended). */
export function pageParams(url: URL): { n?: number; last?: string } {
  const nParam = url.searchParams.get('n');
  const n = nParam === null ? undefined : Number(nParam);
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new SlipwayError('BAD_REQUEST', `invalid n: ${nParam}`);
  const last = url.searchParams.get('last') ?? undefined;
  return { ...(n !== undefined && { n }), ...(last !== undefined && { last }) };
}
