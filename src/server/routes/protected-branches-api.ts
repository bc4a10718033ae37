// Protected branches of a project (issue 9 item 4): list the rules in force, add or replace
// one, remove one. Each route's permission is checked by the router's guard in the project
// the path names, before the body is read.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { BranchProtection } from '../../git/branch-protection.ts';
import type { BranchRule } from '../../store/repos/protected-branches.ts';
import { signedIn } from '../http/route.ts';
import { filterPatternProblem } from '../../workflow/glob.ts';
import { SlipwayError } from '../../core/errors.ts';
import { isValidName } from '../../core/ids.ts';
import { projectName } from './fields.ts';

const pattern = z
  .string()
  .min(1)
  .max(255)
  .refine((p) => !p.startsWith('!'), 'a rule protects what its pattern matches: a leading "!" excludes nothing here')
  // Spaces and control characters are never valid in a ref name (git-check-ref-format(1)).
  .refine((p) => ![...p].some((ch) => ch.trim() === '' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'no spaces or control characters')
  .superRefine((p, ctx) => {
    const problem = filterPatternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid branch pattern: ${problem}` });
  })
  .describe('a branch name pattern, as in on.push.branches (URL-encoded: release%2F*)');

const listParams = z.object({ project: projectName });
const ruleParams = z.object({ project: projectName, pattern });
const ruleBody = {
  schema: z.strictObject({
    pushRoles: z.array(z.enum(['maintainer', 'developer'])).optional(),
    allowForcePush: z.boolean().optional(),
  }),
  expected: '{"pushRoles": ["maintainer", "developer"], "allowForcePush": false}',
};

const ruleView = (r: BranchRule, isDefault: boolean) => ({ pattern: r.pattern, pushRoles: r.pushRoles, allowForcePush: r.allowForcePush, default: isDefault, createdBy: r.createdBy, createdAt: r.createdAt });

export interface ProtectedBranchesApiDeps {
  branches: BranchProtection;
  /** Whether the project exists (has a repository or a record). */
  projectExists: (project: string) => Promise<boolean>;
}

export function registerProtectedBranchesApi(router: Router, deps: ProtectedBranchesApiDeps): void {
  // Read per request, not here: route listings (OpenAPI, the role × route test) register without deps.
  const branches = (): BranchProtection => deps.branches;
  const exists = async (project: string) => {
    if (!isValidName(project) || !(await deps.projectExists(project))) throw new SlipwayError('PROJECT_UNKNOWN', `project "${project}" not found`);
  };
  router
    .route(
      { method: 'GET', path: '/api/projects/:project/protected-branches', summary: 'The branch protection rules in force (the default branch\'s rule until a maintainer changes them)', permission: 'project.read', params: listParams },
      async ({ res, params }) => {
        await exists(params.project);
        const { rules, customized } = await branches().rules(params.project);
        sendJson(res, 200, rules.map((r) => ruleView(r, !customized)));
      },
    )
    .route(
      { method: 'PUT', path: '/api/projects/:project/protected-branches/:pattern', summary: 'Protect branches matching a pattern (maintainers): no force-push or deletion, pushes only by pushRoles. Body: {"pushRoles": ["maintainer", "developer"], "allowForcePush": false}', permission: 'protection.write', audit: 'protection.change', params: ruleParams, body: ruleBody },
      async ({ res, user, params, body }) => {
        await exists(params.project);
        const rule = await branches().protect(params.project, { pattern: params.pattern, pushRoles: body.pushRoles ?? ['maintainer'], allowForcePush: body.allowForcePush ?? false }, signedIn(user).name);
        sendJson(res, 200, ruleView(rule, false));
      },
    )
    .route(
      { method: 'DELETE', path: '/api/projects/:project/protected-branches/:pattern', summary: 'Remove the protection rule with this pattern (maintainers)', permission: 'protection.write', audit: 'protection.change', params: ruleParams },
      async ({ res, user, params }) => {
        await exists(params.project);
        if (!(await branches().unprotect(params.project, params.pattern, signedIn(user).name))) {
          throw new SlipwayError('NOT_FOUND', `project ${params.project} has no protection rule "${params.pattern}" (see slipway branches list ${params.project})`);
        }
        sendJson(res, 200, { pattern: params.pattern, unprotected: true });
      },
    );
}
