// Remote actions (docs/workflow.md "Remote actions"): POST /api/actions/mirrors copies an
// action repository into the instance (admins: a mirror is code every project may run);
// POST /api/actions/resolve says what a `uses:` resolves to with the caller's own rights
// (`slipway lint` asks it, so it tells what a push by the same person would get).
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { Access } from '../../auth/access.ts';
import { SlipwayError } from '../../core/errors.ts';
import { signedIn } from '../http/route.ts';
import type { ActionSources } from '../../git/actions/action-sources.ts';
import { mirrorAction } from '../../git/actions/action-mirror.ts';
import { parseActionRef } from '../../git/actions/action-ref.ts';
import { runActionAccess } from '../../git/actions/action-access.ts';

const repository = z.string().regex(/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/, 'expected owner/repo');
const mirrorBody = {
  schema: z.strictObject({ repository, from: z.string().min(1).max(4096) }),
  expected: '{"repository": "owner/repo", "from": "<http(s) URL or absolute path on the server>"}',
};
const resolveBody = {
  schema: z.strictObject({ uses: z.string().min(1).max(1024), project: z.string().optional() }),
  expected: '{"uses": "owner/repo[/path]@ref", "project": "<the project whose workflow names it>"}',
};

export function registerActionsApi(router: Router, deps: { store: Store; access: Access; sources: ActionSources | undefined }): void {
  const sources = (): ActionSources => {
    if (!deps.sources) throw new SlipwayError('UNSUPPORTED', 'this server has no action sources');
    return deps.sources;
  };
  router
    .route({ method: 'POST', path: '/api/actions/mirrors', summary: 'Mirror an action repository (every branch and tag) into the instance, or update the mirror', permission: 'actions.mirror', audit: 'actions.mirror', body: mirrorBody }, async ({ res, body }) => {
      const [owner, repo] = body.repository.split('/') as [string, string];
      const result = await mirrorAction(sources(), owner, repo, body.from);
      sendJson(res, result.created ? 201 : 200, { repository: `${owner.toLowerCase()}/${repo.toLowerCase()}`, created: result.created, refs: result.refs });
    })
    .route({ method: 'POST', path: '/api/actions/resolve', summary: "What a remote `uses:` resolves to, with the caller's own rights (source, commit)", permission: 'actions.resolve', body: resolveBody }, async ({ res, body, user }) => {
      const ref = parseActionRef(body.uses);
      if ('problem' in ref) throw new SlipwayError('BAD_REQUEST', ref.problem);
      const caller = signedIn(user);
      // The caller's own rights, as if they pushed it (an admin reads every project).
      const access = runActionAccess(deps.store, deps.access, body.project ?? '', caller.name);
      const resolved = await sources().resolve(ref, { ...access, who: caller.name });
      sendJson(res, 200, { uses: body.uses, sha: resolved.sha, source: resolved.source, cached: resolved.cached });
    });
}
