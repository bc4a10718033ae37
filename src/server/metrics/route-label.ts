// The `route` label of HTTP metrics and request log lines: the route's template, never the
// path itself, so the number of series stays fixed however many projects, runs and digests
// there are (a label per path would grow without bound).
import type { Router } from '../http/router.ts';
import { areaOf } from '../http/observe-requests.ts';

const registryRoutes: [RegExp, string][] = [
  [/^\/v2\/?$/, '/v2/'],
  [/^\/v2\/_catalog$/, '/v2/_catalog'],
  [/^\/v2\/.+\/blobs\/uploads\/?$/, '/v2/:name/blobs/uploads/'],
  [/^\/v2\/.+\/blobs\/uploads\/[^/]+$/, '/v2/:name/blobs/uploads/:id'],
  [/^\/v2\/.+\/blobs\/[^/]+$/, '/v2/:name/blobs/:digest'],
  [/^\/v2\/.+\/manifests\/[^/]+$/, '/v2/:name/manifests/:reference'],
  [/^\/v2\/.+\/tags\/list$/, '/v2/:name/tags/list'],
  [/^\/v2\/.+\/referrers\/[^/]+$/, '/v2/:name/referrers/:digest'],
];

const gitRoutes: [RegExp, string][] = [
  [/^\/git\/[^/]+\.git\/info\/refs$/, '/git/:project.git/info/refs'],
  [/^\/git\/[^/]+\.git\/git-upload-pack$/, '/git/:project.git/git-upload-pack'],
  [/^\/git\/[^/]+\.git\/git-receive-pack$/, '/git/:project.git/git-receive-pack'],
];

export function routeLabel(router: Router, method: string, pathname: string): string {
  switch (areaOf(pathname)) {
    case 'health':
      return '/healthz';
    case 'registry':
      return registryRoutes.find(([re]) => re.test(pathname))?.[1] ?? '/v2/(other)';
    case 'git':
      return gitRoutes.find(([re]) => re.test(pathname))?.[1] ?? '/git/(other)';
    case 'api':
      return router.routeOf(method, pathname) ?? '(unmatched)';
    case 'ui':
      return '(ui)';
  }
}
