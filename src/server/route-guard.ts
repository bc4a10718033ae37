// The router's guard: finds the project a request names and checks the route's permission
// there through Access (src/auth/access.ts), before any input is read. A route names its
// project by `:project`, by the run of `:run`, by the deployment of `:id` under
// /api/deployments, or by `?project=`. A signed route (forge webhooks) needs no token at all. A listing that names none shows only what the caller
// may read (its handler filters), so it is open to whoever could read something.
import type { Guard, RawParams } from './http/router.ts';
import type { RouteInfo } from './http/route.ts';
import type { Store } from '../store/store.ts';
import type { Project } from '../store/repos/projects.ts';
import type { Access } from '../auth/access.ts';
import { isProjectAction, permissions } from '../auth/permissions.ts';
import { isSlipwayError, SlipwayError } from '../core/errors.ts';
import { findRun } from './run-view.ts';
import { findDeployment } from './deployment-view.ts';

const signIn = 'authentication required: use a token (Bearer, or Basic with the token as password)';

export function routeGuard(store: Store, access: Access): Guard {
  return async (user, info, params, url) => {
    // Forge webhooks authenticate by the signature over their body, which the handler
    // verifies before reading anything else (src/triggers/forge/webhook.ts); a token adds nothing.
    if (info.authenticatedBy === 'signature') return;
    const action = info.permission;
    if (!action) {
      if (!user) throw new SlipwayError('UNAUTHORIZED', signIn);
      return;
    }
    if (!isProjectAction(action) || user?.role === 'admin') return access.check(user, action);
    let named: { project: Project | string | undefined } | undefined;
    try {
      named = await projectOf(store, info, params, url);
    } catch (err) {
      // An anonymous caller learns nothing about what exists: unknown and private look alike.
      if (!user && (isSlipwayError(err, 'RUN_UNKNOWN') || isSlipwayError(err, 'DEPLOYMENT_UNKNOWN') || isSlipwayError(err, 'PROJECT_UNKNOWN'))) named = { project: undefined };
      else throw err;
    }
    if (!named) {
      if (!user && !('public' in permissions[action])) throw new SlipwayError('UNAUTHORIZED', signIn);
      return;
    }
    await access.check(user, action, named.project, params.env === undefined ? {} : { environment: params.env });
  };
}

/** The project the request names (undefined inside: named but not found); undefined: none named. */
async function projectOf(store: Store, info: RouteInfo, params: RawParams, url: URL): Promise<{ project: Project | string | undefined } | undefined> {
  if (params.project !== undefined) return { project: params.project };
  if (params.run !== undefined) return { project: await store.projects.byId((await findRun(store, params.run)).project_id) };
  if (params.id !== undefined && info.path.startsWith('/api/deployments/')) return { project: await store.projects.byId((await findDeployment(store, params.id)).project_id) };
  const q = url.searchParams.get('project');
  return q === null ? undefined : { project: q };
}
