// The HTTP front door: one server for the API, git hosting and the registry. Every route
// but /healthz needs a token; a wrong or missing one gets 401 and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from './http/router.ts';
import { replyError, sendJson } from './http/reply.ts';
import { authenticate } from '../auth/authenticate.ts';
import type { Store } from '../store/store.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { User } from '../store/repos/users.ts';

export interface AppDeps {
  store: Store;
  git: GitHosting;
  registry: { handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> };
  api: Router;
  isReady: () => boolean;
  log: (message: string) => void;
}

function unauthorized(res: ServerResponse, registry: boolean): void {
  // Basic challenge: git, podman, buildah and skopeo answer it with the configured credentials.
  res.setHeader('www-authenticate', 'Basic realm="slipway"');
  if (registry) {
    // distribution-spec §API version check: clients look for this header even on a 401.
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
  } else {
    sendJson(res, 401, { error: { code: 'UNAUTHORIZED', message: 'authentication required: use a token (Bearer, or Basic with the token as password)' } });
  }
}

export function createHandler(deps: AppDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://slipway.invalid');
    try {
      if (url.pathname === '/healthz') {
        sendJson(res, deps.isReady() ? 200 : 503, { ok: deps.isReady() });
        return;
      }
      const isRegistry = url.pathname === '/v2' || url.pathname.startsWith('/v2/');
      const user: User | undefined = await authenticate(req.headers, deps.store.users);
      if (!user) {
        req.resume();
        unauthorized(res, isRegistry);
        return;
      }
      if (isRegistry) {
        await deps.registry.handle(req, res, url);
        return;
      }
      const git = /^\/git\/([^/]+)\.git(\/.*)?$/.exec(url.pathname);
      if (git) {
        await deps.git.handle(req, res, git[1]!, git[2] ?? '/', user, { allowCreate: true });
        return;
      }
      // The API router answers every other path, with NOT_FOUND where it has no route.
      await deps.api.dispatch(req, res, url, user);
    } catch (err) {
      replyError(res, err, `${req.method} ${url.pathname}`, deps.log);
    }
  };
}
