// Continuous deployment: a successful run on a branch → the environments of the release's
// own deploy.yml that follow that branch.
import type { Store } from '../store/store.ts';
import type { Project } from '../store/repos/projects.ts';
import type { Release } from '../store/repos/releases.ts';
import type { DeployConfig } from './config/deploy-config.ts';
import { environmentsForBranch } from './config/deploy-config.ts';
import type { EnvironmentPlan } from './environment-plan.ts';

export interface ContinuousDeployment {
  project: Project;
  release: Release;
  plans: EnvironmentPlan[];
}

/** What to deploy after `runId`; undefined when nothing follows its branch (or it built no release). */
export async function afterRun(
  store: Store,
  configAt: (project: string, sha: string) => Promise<DeployConfig | undefined>,
  runId: string,
  log: (message: string) => void,
): Promise<ContinuousDeployment | undefined> {
  const run = await store.runs.require(runId);
  if (run.status !== 'success' || !run.ref.startsWith('refs/heads/')) return undefined;
  const project = (await store.projects.byId(run.project_id))!;
  // The release is built from run.sha, so this is the release's own deploy.yml.
  const config = await configAt(project.name, run.sha);
  if (!config) return undefined;
  const envs = environmentsForBranch(config, run.ref.slice('refs/heads/'.length));
  if (envs.length === 0) return undefined;
  const release = (await store.releases.forRun(run.id)).at(-1);
  if (!release) {
    log(`run #${run.number} of ${project.name} built no release (no slipway/build-image step): nothing to deploy`);
    return undefined;
  }
  return { project, release, plans: envs.map((env) => ({ config, env })) };
}
