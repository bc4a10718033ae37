// Environment protection under /api (issue 9 item 5): a project's environments with their
// rules and where the rules come from (the server's, set here by a maintainer, or deploy.yml
// on the default branch), and setting or removing the server's rules of one environment.
// Server rules take precedence over the file; a release's own deploy.yml never counts.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { signedIn } from '../http/route.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { DeployService } from '../../deploy/service.ts';
import type { ProtectedEnvironment } from '../../deploy/config/protected-rules.ts';
import { blockOf, readBlock, type RulesBlock } from '../../deploy/config/rules-block.ts';
import { SlipwayError } from '../../core/errors.ts';
import { environmentName, projectName } from './fields.ts';

interface EnvironmentsApiDeps {
  store: Store;
  /** A getter: the deploy service starts after the HTTP server. */
  deploys: () => DeployService;
}

const list = z.array(z.string()).max(1000);
// deploy.yml's keys of `environments.<name>`; null removes a key. Values are checked by the deploy.yml parser.
const rulesBody = {
  schema: z.strictObject({
    branch: z.string().nullable().optional(),
    branches: list.nullable().optional(),
    promote_from: z.string().nullable().optional(),
    approval: z
      .strictObject({ required: z.number().optional(), not_author: z.boolean().optional(), wait: z.string().optional(), approvers: list.optional() })
      .nullable()
      .optional(),
    hosts: list.optional(),
    publish: z.number().nullable().optional(),
    strategy: z.string().optional(),
    batch_size: z.number().nullable().optional(),
    max_parallel: z.number().nullable().optional(),
    secrets: list.optional(),
  }),
  expected: '{"hosts": ["ssh://deploy@web-1"], "approval": {"required": 2}, "promote_from": "staging", …} (the keys of an environment in deploy.yml, plus "secrets"; null removes a key)',
};
const projectParams = z.object({ project: projectName });
const envParams = z.object({ project: projectName, env: environmentName });

/** An environment as the API shows it: its rules in deploy.yml's words, and their source. */
function environmentView(e: ProtectedEnvironment) {
  return { name: e.env.name, source: e.source, rules: blockOf(e.env, e.secrets) };
}

export function registerEnvironmentsApi(router: Router, deps: EnvironmentsApiDeps): void {
  const { store } = deps;
  const path = '/api/projects/:project/environments';
  const rulesOf = async (project: string) => {
    const p = await store.projects.require(project);
    return { project: p, rules: await deps.deploys().protection.rules(p) };
  };
  const one = async (project: string, env: string) => {
    const { rules } = await rulesOf(project);
    const found = rules.environments.find((e) => e.env.name === env);
    if (!found) throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${project} has no environment "${env}" (it has ${rules.environments.map((e) => e.env.name).join(', ') || 'none'})`);
    return found;
  };

  router
    .route({ method: 'GET', path, summary: "A project's environments, their protection and where it comes from (server or default branch)", permission: 'deployments.read', params: projectParams }, async ({ res, params }) => {
      const { rules } = await rulesOf(params.project);
      sendJson(res, 200, rules.environments.map(environmentView));
    })
    .route({ method: 'GET', path: `${path}/:env`, summary: "One environment's protection and where it comes from", permission: 'deployments.read', params: envParams }, async ({ res, params }) => {
      sendJson(res, 200, environmentView(await one(params.project, params.env)));
    })
    .route(
      {
        method: 'PUT',
        path: `${path}/:env`,
        summary: "Set an environment's protection on the server (the given keys over its current rules); it takes precedence over deploy.yml on the default branch",
        permission: 'environments.protect',
        params: envParams,
        body: rulesBody,
      },
      async ({ res, params, body, user }) => {
        const { project, rules } = await rulesOf(params.project);
        const current = rules.environments.find((e) => e.env.name === params.env);
        const merged: RulesBlock = current ? blockOf(current.env, current.secrets) : {};
        for (const [key, value] of Object.entries(body)) {
          if (value === null) delete merged[key];
          else if (value !== undefined) merged[key] = value;
        }
        const names = [...new Set([...rules.environments.map((e) => e.env.name), params.env])];
        const checked = readBlock(params.env, merged, names);
        const block = blockOf(checked.env, checked.secrets);
        await store.environmentRules.set(project.id, params.env, block, signedIn(user).name);
        await deps.deploys().audit({ action: 'environment.rules.set', actor: signedIn(user).name, project: project.name, environment: params.env, detail: { rules: block } });
        sendJson(res, 200, environmentView(await one(params.project, params.env)));
      },
    )
    .route(
      { method: 'DELETE', path: `${path}/:env`, summary: "Remove the server's protection of an environment: deploy.yml on the default branch protects it again", permission: 'environments.protect', params: envParams },
      async ({ res, params, user }) => {
        const project = await store.projects.require(params.project);
        if (!(await store.environmentRules.remove(project.id, params.env))) {
          throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${params.project}/${params.env} has no rules set on the server (its protection comes from deploy.yml on the default branch)`);
        }
        await deps.deploys().audit({ action: 'environment.rules.removed', actor: signedIn(user).name, project: project.name, environment: params.env });
        const now = (await deps.deploys().protection.rules(project)).environments.find((e) => e.env.name === params.env);
        sendJson(res, 200, { name: params.env, removed: true, now: now ? environmentView(now) : null });
      },
    );
}
