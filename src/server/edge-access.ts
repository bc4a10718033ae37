// What a git or registry request asks to do, read from its method and path, so the front
// door can check it before git or the registry sees the request.
import type { Action } from '../auth/permissions.ts';

/** git Smart HTTP: receive-pack (its advertisement and the push itself) writes; the rest reads. */
export function isGitPush(subpath: string, url: URL): boolean {
  return subpath === '/git-receive-pack' || (subpath === '/info/refs' && url.searchParams.get('service') === 'git-receive-pack');
}

interface RegistryNeed {
  action: Action;
  /** The project: the first component of the repository name (`<project>/<image>`). */
  project: string;
}

// distribution-spec §Endpoints: the name is greedy; the fixed suffix decides the route.
const repositoryPath = /^\/v2\/(.+)\/(?:tags\/list|manifests\/[^/]+|referrers\/[^/]+|blobs\/uploads\/?[^/]*|blobs\/[^/]+)$/;

/**
 * What a registry request needs: pull for reads, push for writes, delete for DELETE; a
 * cross-repository mount (§Mounting a blob from another repository) also reads the source.
 * Undefined for `/v2/` itself (and paths the registry answers NOT_FOUND to).
 */
export function registryNeeds(method: string, url: URL): RegistryNeed[] {
  const m = repositoryPath.exec(url.pathname);
  if (!m) return [];
  const project = m[1]!.split('/')[0]!;
  if (method === 'GET' || method === 'HEAD') return [{ action: 'images.pull', project }];
  if (method === 'DELETE') return [{ action: 'images.delete', project }];
  const needs: RegistryNeed[] = [{ action: 'images.push', project }];
  const from = url.searchParams.get('from');
  if (url.searchParams.has('mount') && from) needs.push({ action: 'images.pull', project: from.split('/')[0]! });
  return needs;
}
