// The HTTP front door: one server for the API, git hosting and the registry. Every route
// but /healthz needs a token; a wrong or missing one gets 401 and nothing else, and an
// address that keeps sending wrong ones gets 429 for a while. What the token reaches (its
// scope) is checked here for git and the registry, and by the router for the API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from './http/router.ts';
import { replyError, sendJson } from './http/reply.ts';
import { authenticate } from '../auth/authenticate.ts';
import { checkScope } from '../auth/token-scope.ts';
import type { AuditLog } from '../auth/audit.ts';
import type { Store } from '../store/store.ts';
import type { GitHosting } from '../git/hosting.ts';
import { isSlipwayError } from '../core/errors.ts';
import { FailedAuthLimiter } from './http/failed-auth-limiter.ts';
import { gitAction, registryActions } from './http/scoped-actions.ts';

export interface AppDeps {
  store: Store;
  git: GitHosting;
  registry: { handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> };
  api: Router;
  isReady: () => boolean;
  log: (message: string) => void;
  audit: AuditLog;
  /** Failed authentications per address; one per server. */
  limiter?: FailedAuthLimiter;
}

function unauthorized(res: ServerResponse, registry: boolean, message: string): void {
  // Basic challenge: git, podman, buildah and skopeo answer it with the configured credentials.
  res.setHeader('www-authenticate', 'Basic realm="slipway"');
  if (registry) {
    // distribution-spec §API version check: clients look for this header even on a 401.
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message, detail: null }] });
  } else {
    sendJson(res, 401, { error: { code: 'UNAUTHORIZED', message } });
  }
}

function tooMany(res: ServerResponse, registry: boolean, seconds: number): void {
  res.setHeader('retry-after', String(seconds));
  const message = `too many failed authentications from this address: retry in ${seconds} s`;
  if (registry) sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message, detail: null }] });
  else sendJson(res, 429, { error: { code: 'TOO_MANY_REQUESTS', message } });
}

export function createHandler(deps: AppDeps) {
  const limiter = deps.limiter ?? new FailedAuthLimiter();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://slipway.invalid');
    const isRegistry = url.pathname === '/v2' || url.pathname.startsWith('/v2/');
    try {
      if (url.pathname === '/healthz') {
        sendJson(res, deps.isReady() ? 200 : 503, { ok: deps.isReady() });
        return;
      }
      const address = req.socket.remoteAddress ?? 'unknown';
      const wait = limiter.retryAfter(address);
      if (wait > 0) {
        req.resume();
        tooMany(res, isRegistry, wait);
        return;
      }
      const auth = await authenticate(req.headers, deps.store);
      if (auth.kind !== 'authenticated') {
        req.resume();
        if (auth.kind === 'anonymous') {
          unauthorized(res, isRegistry, 'authentication required: use a token (Bearer, or Basic with the token as password)');
          return;
        }
        const blocked = limiter.failed(address);
        await deps.audit
          .record({ actor: auth.userName ?? 'anonymous', action: blocked ? 'auth.blocked' : 'auth.failed', target: auth.userName, address, detail: { reason: auth.reason, request: `${req.method} ${url.pathname}`, ...(blocked ? { retryAfterSeconds: blocked } : {}) } })
          .catch((err: unknown) => deps.log(`audit: recording a failed authentication from ${address}: ${(err as Error).message}`));
        if (blocked) tooMany(res, isRegistry, blocked);
        else unauthorized(res, isRegistry, `authentication failed: ${auth.reason}`);
        return;
      }
      const { principal } = auth;
      if (isRegistry) {
        try {
          for (const action of registryActions(req, url)) checkScope(principal, action);
        } catch (err) {
          if (!isSlipwayError(err, 'FORBIDDEN')) throw err;
          req.resume();
          // distribution-spec §Error codes: DENIED is the registry's "requested access to the resource is denied".
          res.setHeader('docker-distribution-api-version', 'registry/2.0');
          sendJson(res, 403, { errors: [{ code: 'DENIED', message: err.message, detail: err.detail ?? null }] });
          return;
        }
        await deps.registry.handle(req, res, url);
        return;
      }
      const git = /^\/git\/([^/]+)\.git(\/.*)?$/.exec(url.pathname);
      if (git) {
        const subpath = git[2] ?? '/';
        checkScope(principal, gitAction(req, git[1]!, subpath, url));
        // Only users create projects by pushing; a job's token fetches and nothing more.
        await deps.git.handle(req, res, git[1]!, subpath, principal.user.name, { allowCreate: principal.kind === 'user' });
        return;
      }
      // The API router answers every other path, with NOT_FOUND where it has no route.
      await deps.api.dispatch(req, res, url, principal);
    } catch (err) {
      replyError(res, err, `${req.method} ${url.pathname}`, deps.log);
    }
  };
}
