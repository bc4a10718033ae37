// The HTTP front door: one server for the API, git hosting and the registry. A wrong token
// gets 401 and nothing else; no token is an anonymous caller, who may only read public
// projects. Every git service and registry action is checked here, through Access, before
// git or the registry sees the request; API routes are checked by the router's guard.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from './http/router.ts';
import { replyError, sendJson } from './http/reply.ts';
import { authenticate, tokenFromHeaders } from '../auth/authenticate.ts';
import type { Access } from '../auth/access.ts';
import { createProject } from '../auth/create-project.ts';
import type { Store } from '../store/store.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { User } from '../store/repos/users.ts';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import { isGitPush, registryNeeds } from './edge-access.ts';

export interface AppDeps {
  store: Store;
  access: Access;
  git: GitHosting;
  registry: { handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> };
  api: Router;
  isReady: () => boolean;
  log: (message: string) => void;
}

function unauthorized(res: ServerResponse, registry: boolean, message = 'authentication required: use a token (Bearer, or Basic with the token as password)'): void {
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

/** distribution-spec §Error codes: DENIED, with the message authorize gave. */
function denied(res: ServerResponse, err: SlipwayError): void {
  res.setHeader('docker-distribution-api-version', 'registry/2.0');
  sendJson(res, 403, { errors: [{ code: 'DENIED', message: err.message, detail: err.detail ?? null }] });
}

export function createHandler(deps: AppDeps) {
  const { store, access } = deps;

  async function registry(req: IncomingMessage, res: ServerResponse, url: URL, user: User | undefined): Promise<void> {
    const needs = registryNeeds(req.method ?? 'GET', url);
    // `/v2/` says whether the caller may use the registry at all: anonymous callers get the
    // challenge there, and clients without credentials then carry on anonymously.
    if (needs.length === 0 && !user) throw new SlipwayError('UNAUTHORIZED');
    for (const need of needs) {
      const project = await store.projects.get(need.project);
      if (!project && user && user.role !== 'admin' && need.action !== 'images.pull') {
        // Nobody holds a role in a project that does not exist: its namespace is not anyone's to fill.
        throw new SlipwayError('FORBIDDEN', `project ${need.project} does not exist: images are pushed as <project>/<image> to a project you are a developer of (missing permission ${need.action})`, {
          detail: { user: user.name, project: need.project, permission: need.action },
        });
      }
      await access.check(user, need.action, project ?? need.project);
    }
    await deps.registry.handle(req, res, url);
  }

  async function git(req: IncomingMessage, res: ServerResponse, url: URL, user: User | undefined, name: string, subpath: string): Promise<void> {
    const project = await store.projects.get(name);
    if (!isGitPush(subpath, url)) {
      await access.check(user, 'git.read', project ?? name);
    } else if (project) {
      await access.check(user, 'git.push', project);
    } else {
      // A first push creates the project (config.yml projects.create says who may); only the
      // push itself (the POST) does, and its pusher becomes the project's maintainer.
      await access.check(user, 'projects.create', name);
      if (req.method === 'POST' && user) await createProject(store, name, user);
    }
    await deps.git.handle(req, res, name, subpath, user, { allowCreate: true });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://slipway.invalid');
    const isRegistry = url.pathname === '/v2' || url.pathname.startsWith('/v2/');
    try {
      if (url.pathname === '/healthz') {
        sendJson(res, deps.isReady() ? 200 : 503, { ok: deps.isReady() });
        return;
      }
      const user: User | undefined = await authenticate(req.headers, store.users);
      if (!user && tokenFromHeaders(req.headers)) {
        req.resume();
        unauthorized(res, isRegistry);
        return;
      }
      if (isRegistry) return await registry(req, res, url, user);
      const match = /^\/git\/([^/]+)\.git(\/.*)?$/.exec(url.pathname);
      if (match) return await git(req, res, url, user, match[1]!, match[2] ?? '/');
      // The API router answers every other path, with NOT_FOUND where it has no route.
      await deps.api.dispatch(req, res, url, user);
    } catch (err) {
      if (isSlipwayError(err, 'UNAUTHORIZED') && !res.headersSent) {
        req.resume();
        return unauthorized(res, isRegistry, err.message);
      }
      if (isRegistry && isSlipwayError(err, 'FORBIDDEN') && !res.headersSent) {
        req.resume();
        return denied(res, err);
      }
      replyError(res, err, `${req.method} ${url.pathname}`, deps.log);
    }
  };
}
