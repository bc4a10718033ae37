// Requests that move an existing release to an environment — manual deploy, promotion,
// rollback — checked before anything is recorded, so a mistake is an immediate 4xx
// rather than a failed deployment. None of them builds: a release is an image digest.
import type { Store } from '../store/store.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Project } from '../store/repos/projects.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { User } from '../store/repos/users.ts';
import { SlipwayError } from '../core/errors.ts';
import { authorize } from '../auth/permissions.ts';
import type { DeployService } from './service.ts';
import type { EnvironmentPlan } from './environment-plan.ts';
import { deployConfigFile } from './config/deploy-config.ts';

export interface ReleaseControl {
  deploy(project: string, environment: string, ref: { release?: string; commit?: string }, user: string): Promise<Deployment>;
  promote(project: string, from: string, to: string, user: string): Promise<Deployment>;
  /** `force`: past the approval gate; admins only (FORBIDDEN otherwise). */
  rollback(project: string, environment: string, to: string | undefined, user: User, options?: { force?: boolean }): Promise<Deployment>;
}

export function releaseControl(store: Store, deploys: DeployService): ReleaseControl {
  /** A release by id, or by commit (full or abbreviated, at least 4 hex digits): the newest built from it. */
  async function findRelease(project: Project, ref: string): Promise<Release> {
    const byId = await store.releases.get(ref);
    if (byId && byId.project_id === project.id) return byId;
    if (/^[0-9a-f]{4,40}$/.test(ref)) {
      const match = (await store.releases.list(project.id, 1000)).find((r) => r.sha.startsWith(ref));
      if (match) return match;
    }
    throw new SlipwayError('RELEASE_UNKNOWN', `${project.name} has no release ${ref} (a release id, or a commit that built an image); see \`slipway releases ${project.name}\``);
  }

  /** The environment as the release's own deploy.yml defines it (the deployment reuses it). */
  async function planOf(project: string, environment: string, release: Release): Promise<EnvironmentPlan> {
    const config = await deploys.configAt(project, release.sha);
    if (!config) throw new SlipwayError('DEPLOY_CONFIG_INVALID', `commit ${release.sha.slice(0, 7)} has no ${deployConfigFile}`);
    const env = config.environments.find((e) => e.name === environment);
    if (!env) throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${deployConfigFile} at ${release.sha.slice(0, 7)} has no environment "${environment}" (it has ${config.environments.map((e) => e.name).join(', ')})`);
    return { config, env };
  }

  return {
    async deploy(project, environment, ref, user) {
      const p = await store.projects.require(project);
      if ((ref.release === undefined) === (ref.commit === undefined)) throw new SlipwayError('BAD_REQUEST', 'give either "release" or "commit"');
      const release = await findRelease(p, (ref.release ?? ref.commit)!);
      return deploys.deploy(p, await planOf(project, environment, release), release, 'manual', user);
    },

    async promote(project, from, to, user) {
      const p = await store.projects.require(project);
      if (from === to) throw new SlipwayError('PROMOTION_NOT_ALLOWED', `cannot promote ${from} to itself`);
      const state = await store.deployments.state(p.id, from);
      if (!state) throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${project}/${from} runs no release yet: nothing to promote`);
      const release = await store.releases.get(state.release_id);
      if (!release) throw new SlipwayError('RELEASE_UNKNOWN', `release ${state.release_id} serving ${from} no longer exists`);
      const plan = await planOf(project, to, release);
      const { promoteFrom } = plan.env;
      if (promoteFrom !== undefined && promoteFrom !== from) {
        throw new SlipwayError('PROMOTION_NOT_ALLOWED', `${to} takes releases from ${promoteFrom} (promote_from in ${deployConfigFile}), not from ${from}`);
      }
      return deploys.deploy(p, plan, release, 'promotion', user);
    },

    async rollback(project, environment, to, user, options = {}) {
      if (options.force) authorize(user, 'deploy.force', { project });
      const p = await store.projects.require(project);
      let release: Release;
      if (to !== undefined) {
        release = await findRelease(p, to);
      } else {
        const current = (await store.deployments.state(p.id, environment))?.release_id;
        if (!current) throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${project}/${environment} runs no release yet: nothing to roll back`);
        // The newest successful deployment of another release than the one serving now.
        const history = await store.deployments.list({ projectId: p.id, environment, limit: 1000 });
        const previous = history.find((d) => d.status === 'success' && d.release_id !== current);
        if (!previous) throw new SlipwayError('CONFLICT', `${project}/${environment} has no earlier successful release to roll back to`);
        release = (await store.releases.get(previous.release_id))!;
      }
      return deploys.deploy(p, await planOf(project, environment, release), release, 'rollback', user.name, { forcedBy: options.force ? user : undefined });
    },
  };
}
