// Continuous deployment: a successful run on a branch → the environments whose protection
// (config/protected-rules.ts: the server's rules, or deploy.yml on the default branch) says
// they follow that branch. The release's own deploy.yml never picks an environment: a branch
// that sets `branch:` of production to itself deploys nothing there.
import type { Project } from '../store/repos/projects.ts';
import type { Release } from '../store/repos/releases.ts';
import type { DeployConfig } from './config/deploy-config.ts';
import { planFor, projectRules, type ProtectedRulesDeps } from './config/protected-rules.ts';
import type { EnvironmentPlan } from './environment-plan.ts';

interface ContinuousDeployment {
  project: Project;
  release: Release;
  plans: EnvironmentPlan[];
}

/** What to deploy after `runId`; undefined when nothing follows its branch (or it built no release). */
export async function afterRun(
  rules: ProtectedRulesDeps,
  configAt: (project: string, sha: string) => Promise<DeployConfig | undefined>,
  runId: string,
  log: (message: string) => void,
): Promise<ContinuousDeployment | undefined> {
  const { store } = rules;
  const run = await store.runs.require(runId);
  if (run.status !== 'success' || !run.ref.startsWith('refs/heads/')) return undefined;
  const project = (await store.projects.byId(run.project_id))!;
  // What the app is: the release is built from run.sha, so this is the release's own deploy.yml.
  const config = await configAt(project.name, run.sha);
  if (!config) return undefined;
  const branch = run.ref.slice('refs/heads/'.length);
  const envs = (await projectRules(rules, project)).environments.filter((e) => e.env.branch === branch);
  const ignored = config.environments.filter((e) => e.branch === branch && !envs.some((p) => p.env.name === e.name));
  if (ignored.length > 0) {
    log(`run #${run.number} of ${project.name}: its deploy.yml deploys ${ignored.map((e) => e.name).join(', ')} on branch ${branch}, but the environments' protection does not: nothing deployed there`);
  }
  if (envs.length === 0) return undefined;
  const release = (await store.releases.forRun(run.id)).at(-1);
  if (!release) {
    log(`run #${run.number} of ${project.name} built no release (no slipway/build-image step): nothing to deploy`);
    return undefined;
  }
  return { project, release, plans: envs.map((e) => planFor(config, e)) };
}
