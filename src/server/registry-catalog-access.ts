// Which repositories the registry's catalog (`GET /v2/_catalog`) shows a caller: those it
// could pull, by the same two checks as a pull (its token's scope, then its user's
// `images.pull` in the repository's project). A repository outside any existing project
// is shown to admins only: nobody else holds a role there.
import type { Access } from '../auth/access.ts';
import type { Principal } from '../auth/principal.ts';
import { checkScope } from '../auth/token-scope.ts';
import { isSlipwayError } from '../core/errors.ts';

export function catalogAccess(access: Access, principal: Principal | undefined): (repository: string) => Promise<boolean> {
  let pullable: Promise<Set<string> | 'all'> | undefined;
  const user = principal?.user;
  const projects = (): Promise<Set<string> | 'all'> => {
    pullable ??= user?.role === 'admin' ? Promise.resolve('all') : access.projectsFor(user, 'images.pull').then((ps) => new Set(ps.map((p) => p.name)));
    return pullable;
  };
  return async (repository) => {
    if (principal) {
      try {
        checkScope(principal, { kind: 'registry', repository, access: 'pull' });
      } catch (err) {
        if (isSlipwayError(err, 'FORBIDDEN')) return false;
        throw err;
      }
    }
    // A job's or deployment's scope alone decides, as for a pull (app.ts).
    if (principal !== undefined && principal.kind !== 'user') return true;
    const visible = await projects();
    return visible === 'all' || visible.has(repository.split('/')[0] ?? '');
  };
}
