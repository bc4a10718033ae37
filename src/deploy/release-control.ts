// Requests that move an existing release to an environment — manual deploy, promotion,
// rollback — checked before anything is recorded, so a mistake is an immediate 4xx
// rather than a failed deployment. None of them builds: a release is an image digest.
// Where a release may go is the environment's protection (config/protected-rules.ts),
// never the release's own deploy.yml.
import type { Store } from '../store/store.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Project } from '../store/repos/projects.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { User } from '../store/repos/users.ts';
import { SlipwayError } from '../core/errors.ts';
import { authorize } from '../auth/permissions.ts';
import type { DeployService } from './service.ts';
import type { EnvironmentPlan } from './environment-plan.ts';

interface ReleaseControl {
  /** `force`: past `promote_from` (a release that has not succeeded there); admins only, audited. */
  deploy(project: string, environment: string, ref: { release?: string; commit?: string }, user: User, options?: { force?: boolean }): Promise<Deployment>;
  promote(project: string, from: string, to: string, user: string): Promise<Deployment>;
  /** `force`: past the approval gate and `promote_from`; admins only (FORBIDDEN otherwise), audited. */
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

  async function succeededIn(project: Project, environment: string, release: Release): Promise<boolean> {
    const history = await store.deployments.list({ projectId: project.id, environment, limit: 1000 });
    return history.some((d) => d.release_id === release.id && d.status === 'success');
  }

  /**
   * promote_from: a release reaches the environment only once it succeeded in the one it is
   * promoted from (or here, before: a redeploy or rollback of what already ran here). An
   * admin's `force` passes, and is audited.
   */
  async function checkPromotedFrom(project: Project, plan: EnvironmentPlan, release: Release, user: User, force: boolean | undefined, how: string): Promise<void> {
    const from = plan.env.promoteFrom;
    if (from === undefined) return;
    if ((await succeededIn(project, from, release)) || (await succeededIn(project, plan.env.name, release))) return;
    const what = `release ${release.id} (commit ${release.sha.slice(0, 7)})`;
    if (!force) {
      throw new SlipwayError('FORBIDDEN', `project ${project.name}: ${what} has not succeeded in ${from}; ${plan.env.name} takes only releases that did (rule: promote_from); promote it from ${from} once it succeeded there, or an admin may force it`, {
        detail: { project: project.name, environment: plan.env.name, rule: 'promote_from', promoteFrom: from, release: release.id },
      });
    }
    authorize(user, 'deploy.force_promotion', { project: project.name });
    await deploys.audit({ action: 'deploy.forced', actor: user.name, project: project.name, environment: plan.env.name, detail: { release: release.id, sha: release.sha, how, skipped: `promote_from ${from}` } });
  }

  return {
    async deploy(project, environment, ref, user, options = {}) {
      const p = await store.projects.require(project);
      if ((ref.release === undefined) === (ref.commit === undefined)) throw new SlipwayError('BAD_REQUEST', 'give either "release" or "commit"');
      const release = await findRelease(p, (ref.release ?? ref.commit)!);
      const plan = await deploys.protection.plan(p, environment, release);
      await checkPromotedFrom(p, plan, release, user, options.force, 'deploy --force');
      return deploys.deploy(p, plan, release, 'manual', user.name);
    },

    async promote(project, from, to, user) {
      const p = await store.projects.require(project);
      if (from === to) throw new SlipwayError('PROMOTION_NOT_ALLOWED', `cannot promote ${from} to itself`);
      const state = await store.deployments.state(p.id, from);
      if (!state) throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${project}/${from} runs no release yet: nothing to promote`);
      const release = await store.releases.get(state.release_id);
      if (!release) throw new SlipwayError('RELEASE_UNKNOWN', `release ${state.release_id} serving ${from} no longer exists`);
      const plan = await deploys.protection.plan(p, to, release);
      const { promoteFrom } = plan.env;
      if (promoteFrom !== undefined && promoteFrom !== from) {
        throw new SlipwayError('PROMOTION_NOT_ALLOWED', `${to} takes releases from ${promoteFrom} (promote_from in its protection), not from ${from}`);
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
      const plan = await deploys.protection.plan(p, environment, release);
      await checkPromotedFrom(p, plan, release, user, options.force, 'rollback --force');
      // A forced rollback is audited by its route, with the deployment it made.
      return deploys.deploy(p, plan, release, 'rollback', user.name, { forcedBy: options.force ? user : undefined });
    },
  };
}
