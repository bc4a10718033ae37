// GET /v2/<name>/tags/list (distribution-spec §Listing tags): lexical order, paginated by
// `n` and `last`, with a `Link: <…>; rel="next"` header when more remain. A repository
// that still holds anything (blobs, an upload) but no tag lists none (200, as distribution
// and the conformance suite's "tags list should reflect manifest deletion" expect); only a
// repository nothing was ever pushed to is NAME_UNKNOWN.
import { SlipwayError } from '../core/errors.ts';
import type { RouteContext } from './context.ts';
import { sendJson } from './http.ts';
import { repositoryPrefix, tagsPrefix } from './layout.ts';
import { pageParams } from './routes-catalog.ts';
import type { StorageDriver } from '../storage/driver.ts';

async function listTags(storage: StorageDriver, name: string): Promise<string[]> {
  const prefix = tagsPrefix(name);
  return (await storage.list(prefix)).map((key) => key.slice(prefix.length)).sort();
}

export async function handleTags(ctx: RouteContext): Promise<void> {
  const { storage, req, res, url, name } = ctx;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new SlipwayError('UNSUPPORTED', `${req.method} not allowed on tags`);
  const { n, last } = pageParams(url);
  const all = await listTags(storage, name);
  if (all.length === 0 && (await storage.list(repositoryPrefix(name))).length === 0) {
    throw new SlipwayError('NAME_UNKNOWN', undefined, { detail: { name } });
  }
  const after = last === undefined ? all : all.filter((t) => t > last);
  const page = n === undefined ? after : after.slice(0, n);
  const headers: Record<string, string> = {};
  const lastOfPage = page.at(-1);
  if (n !== undefined && after.length > page.length && lastOfPage !== undefined) {
    headers.Link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(lastOfPage)}>; rel="next"`;
  }
  sendJson(req, res, 200, { name, tags: page }, headers);
}
