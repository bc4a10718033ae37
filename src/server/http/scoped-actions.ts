// What a git or registry request does, as the token scope check sees it (the API router
// derives it from the route instead): fetch or push a project's repository; pull, push or
// delete in an image repository. A cross-repository blob mount also reads its source.
import type { IncomingMessage } from 'node:http';
import type { ScopedAction } from '../../auth/token-scope.ts';

export function gitAction(req: IncomingMessage, project: string, subpath: string, url: URL): ScopedAction {
  const pushing = subpath === '/git-receive-pack' || (subpath === '/info/refs' && url.searchParams.get('service') === 'git-receive-pack');
  return { kind: 'git', project, access: pushing ? 'push' : 'fetch' };
}

// distribution-spec routes end in a fixed suffix; the name before it may hold slashes.
const registryPath = /^\/v2\/(.+)\/(?:tags\/list|manifests\/[^/]+|referrers\/[^/]+|blobs\/uploads\/?(?:[^/]+)?|blobs\/[^/]+)$/;

export function registryActions(req: IncomingMessage, url: URL): ScopedAction[] {
  const m = registryPath.exec(url.pathname);
  // `/v2/` (the version check) and unknown paths: the registry answers those itself.
  if (!m) return [{ kind: 'registry', access: 'pull' }];
  const repository = m[1]!;
  const method = req.method ?? 'GET';
  const access = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
  const actions: ScopedAction[] = [{ kind: 'registry', repository, access }];
  // distribution-spec §Mounting a blob from another repository: reading `from` is a pull of it.
  const from = url.searchParams.get('from');
  if (access === 'push' && from) actions.push({ kind: 'registry', repository: from, access: 'pull' });
  return actions;
}
