// The HTTP front door: one server for the API, git hosting and the registry. A wrong token
// gets 401 and nothing else, and an address that keeps sending wrong ones gets 429 for a
// while; no token is an anonymous caller, who may only read public projects. What a token
// reaches (its scope, or a job's own project) and what its user may do in the project
// (through Access) are checked here for git and the registry, before either sees the
// request, and by the router for the API. The browser UI's files need no sign-in; the
// session cookie is an identity for the API only (git and registry clients send tokens),
// and only git and the registry answer 401 with a Basic challenge (a browser would prompt).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from './http/router.ts';
import { replyError, sendJson } from './http/reply.ts';
import { authenticate } from '../auth/authenticate.ts';
import { checkScope } from '../auth/token-scope.ts';
import type { AuditLog } from '../auth/audit.ts';
import type { Access } from '../auth/access.ts';
import type { Principal } from '../auth/principal.ts';
import { createProject } from '../auth/create-project.ts';
import type { Store } from '../store/store.ts';
import type { GitHosting } from '../git/hosting.ts';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import { isGitPush, registryNeeds } from './edge-access.ts';
import { FailedAuthLimiter } from './http/failed-auth-limiter.ts';
import { gitAction, registryActions } from './http/scoped-actions.ts';
import { isUiPath } from './web-ui.ts';
import { catalogAccess } from './registry-catalog-access.ts';
import { sessionCookieHeader } from '../auth/sessions.ts';
import { isSecureRequest } from './http/secure-request.ts';

export interface AppDeps {
  store: Store;
  access: Access;
  git: GitHosting;
  registry: { handle(req: IncomingMessage, res: ServerResponse, url: URL, canPull?: (repository: string) => Promise<boolean>): Promise<void> };
  api: Router;
  isReady: () => boolean;
  log: (message: string) => void;
  audit: AuditLog;
  /** Failed authentications per address; one per server. */
  limiter?: FailedAuthLimiter;
  /** The browser UI's GET and HEAD requests (src/server/web-ui.ts). */
  ui?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

type Area = 'api' | 'git' | 'registry';

function unauthorized(res: ServerResponse, area: Area, message = 'authentication required: use a token (Bearer, or Basic with the token as password)'): void {
  // Basic challenge: git, podman, buildah and skopeo answer it with the configured credentials.
  // Never on the API: a browser would show its password prompt over the UI's sign-in page.
  if (area !== 'api') res.setHeader('www-authenticate', 'Basic realm="slipway"');
  if (area === 'registry') {
    // distribution-spec §API version check: clients look for this header even on a 401.
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message, detail: null }] });
  } else {
    sendJson(res, 401, { error: { code: 'UNAUTHORIZED', message } });
  }
}

/** distribution-spec §Error codes: DENIED ("requested access to the resource is denied"), with the refusal's message. */
function denied(res: ServerResponse, err: SlipwayError): void {
  res.setHeader('docker-distribution-api-version', 'registry/2.0');
  sendJson(res, 403, { errors: [{ code: 'DENIED', message: err.message, detail: err.detail ?? null }] });
}

function tooMany(res: ServerResponse, area: Area, seconds: number): void {
  res.setHeader('retry-after', String(seconds));
  const message = `too many failed authentications from this address: retry in ${seconds} s`;
  if (area === 'registry') sendJson(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message, detail: null }] });
  else sendJson(res, 429, { error: { code: 'TOO_MANY_REQUESTS', message } });
}

/** A user's token is checked against the user's project role too; a job's or deployment's scope alone decides. */
const isUser = (principal: Principal | undefined) => !principal || principal.kind === 'user';

export function createHandler(deps: AppDeps) {
  const { store, access } = deps;
  const limiter = deps.limiter ?? new FailedAuthLimiter();

  async function registry(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | undefined): Promise<void> {
    if (principal) for (const action of registryActions(req, url)) checkScope(principal, action);
    const user = principal?.user;
    const needs = registryNeeds(req.method ?? 'GET', url);
    // `/v2/` says whether the caller may use the registry at all: anonymous callers get the
    // challenge there, and clients without credentials then carry on anonymously. The
    // catalog lists only what the caller may pull (public projects' images for anonymous).
    const isCatalog = url.pathname === '/v2/_catalog';
    if (needs.length === 0 && !user && !isCatalog) throw new SlipwayError('UNAUTHORIZED');
    for (const need of isUser(principal) ? needs : []) {
      const project = await store.projects.get(need.project);
      if (!project && user && user.role !== 'admin' && need.action !== 'images.pull') {
        // Nobody holds a role in a project that does not exist: its namespace is not anyone's to fill.
        throw new SlipwayError('FORBIDDEN', `project ${need.project} does not exist: images are pushed as <project>/<image> to a project you are a developer of (missing permission ${need.action})`, {
          detail: { user: user.name, project: need.project, permission: need.action },
        });
      }
      await access.check(user, need.action, project ?? need.project);
    }
    await deps.registry.handle(req, res, url, catalogAccess(access, principal));
  }

  async function git(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | undefined, name: string, subpath: string): Promise<void> {
    if (principal) checkScope(principal, gitAction(req, name, subpath, url));
    const user = principal?.user;
    const project = await store.projects.get(name);
    if (!isUser(principal)) {
      // A job's token fetches its own project (its scope said so) and creates nothing.
    } else if (!isGitPush(subpath, url)) {
      await access.check(user, 'git.read', project ?? name);
    } else if (project) {
      await access.check(user, 'git.push', project);
    } else {
      // A first push creates the project (config.yml projects.create says who may); only the
      // push itself (the POST) does, and its pusher becomes the project's maintainer.
      await access.check(user, 'projects.create', name);
      if (req.method === 'POST' && user) await createProject(store, name, user);
    }
    await deps.git.handle(req, res, name, subpath, user, { allowCreate: principal?.kind === 'user' });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://slipway.invalid');
    const isRegistry = url.pathname === '/v2' || url.pathname.startsWith('/v2/');
    const gitMatch = /^\/git\/([^/]+)\.git(\/.*)?$/.exec(url.pathname);
    const area: Area = isRegistry ? 'registry' : url.pathname.startsWith('/git/') ? 'git' : 'api';
    try {
      if (url.pathname === '/healthz') {
        sendJson(res, deps.isReady() ? 200 : 503, { ok: deps.isReady() });
        return;
      }
      if (deps.ui && (req.method === 'GET' || req.method === 'HEAD') && isUiPath(url.pathname)) return await deps.ui(req, res, url);
      const address = req.socket.remoteAddress ?? 'unknown';
      const wait = limiter.retryAfter(address);
      if (wait > 0) {
        req.resume();
        tooMany(res, area, wait);
        return;
      }
      const auth = await authenticate(req.headers, store, { cookie: area === 'api' });
      // A cookie of a session that ended: the browser is told to forget it.
      if (auth.kind === 'anonymous' && auth.endedSession) res.setHeader('set-cookie', sessionCookieHeader(undefined, isSecureRequest(req)));
      if (auth.kind === 'refused') {
        req.resume();
        const blocked = limiter.failed(address);
        await deps.audit
          .record({ actor: auth.userName ?? 'anonymous', action: blocked ? 'auth.blocked' : 'auth.failed', target: auth.userName, address, detail: { reason: auth.reason, request: `${req.method} ${url.pathname}`, ...(blocked ? { retryAfterSeconds: blocked } : {}) } })
          .catch((err: unknown) => deps.log(`audit: recording a failed authentication from ${address}: ${(err as Error).message}`));
        if (blocked) tooMany(res, area, blocked);
        else unauthorized(res, area, `authentication failed: ${auth.reason}`);
        return;
      }
      const principal = auth.kind === 'authenticated' ? auth.principal : undefined;
      if (isRegistry) return await registry(req, res, url, principal);
      if (gitMatch) return await git(req, res, url, principal, gitMatch[1]!, gitMatch[2] ?? '/');
      // The API router answers every other path, with NOT_FOUND where it has no route.
      await deps.api.dispatch(req, res, url, principal);
    } catch (err) {
      if (isSlipwayError(err, 'UNAUTHORIZED') && !res.headersSent) {
        req.resume();
        return unauthorized(res, area, err.message);
      }
      if (isRegistry && isSlipwayError(err, 'FORBIDDEN') && !res.headersSent) {
        req.resume();
        return denied(res, err);
      }
      replyError(res, err, `${req.method} ${url.pathname}`, deps.log);
    }
  };
}
