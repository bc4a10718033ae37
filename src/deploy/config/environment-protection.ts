// The deploy service's view of environment protection (protected-rules.ts): a project's
// environments as protected, the plan of one deployment (protection + the release's app),
// and the note a push gets when it changes protection away from the default branch.
import { isSlipwayError, SlipwayError } from '../../core/errors.ts';
import type { Project } from '../../store/repos/projects.ts';
import type { Release } from '../../store/repos/releases.ts';
import { deployConfigAt } from '../config-at.ts';
import type { EnvironmentPlan } from '../environment-plan.ts';
import { deployConfigFile, type DeployConfig } from './deploy-config.ts';
import { planFor, projectRules, protectedEnvironment, type ProjectRules, type ProtectedRulesDeps } from './protected-rules.ts';
import { protectionNotes } from './protection-notes.ts';

export class EnvironmentProtection {
  readonly #deps: ProtectedRulesDeps;

  constructor(deps: ProtectedRulesDeps) {
    this.#deps = deps;
  }

  get deps(): ProtectedRulesDeps {
    return this.#deps;
  }

  /** Every environment of a project with its protection and where it comes from. */
  rules(project: Project): Promise<ProjectRules> {
    return projectRules(this.#deps, project);
  }

  /** deploy.yml at a commit (undefined when it has none); invalid files throw DEPLOY_CONFIG_INVALID. */
  configAt(project: string, sha: string): Promise<DeployConfig | undefined> {
    return deployConfigAt(this.#deps.readFile, project, sha);
  }

  /**
   * The plan of deploying `release` to `environment`: where and how from the environment's
   * protection (the server's rules, or deploy.yml on the default branch), what the app is
   * from the release's own deploy.yml.
   */
  async plan(project: Project, environment: string, release: Release): Promise<EnvironmentPlan> {
    const rules = await protectedEnvironment(this.#deps, project, environment);
    const config = await this.configAt(project.name, release.sha);
    if (!config) throw new SlipwayError('DEPLOY_CONFIG_INVALID', `commit ${release.sha.slice(0, 7)} has no ${deployConfigFile}: the release does not say what the app is (service, image, port)`);
    return planFor(config, rules);
  }

  /** Notes for a push of `sha` to `ref` whose deploy.yml changes protection away from the default branch; none on the default branch. */
  async notes(project: string, ref: string, sha: string): Promise<string[]> {
    const p = await this.#deps.store.projects.get(project);
    const head = await this.#deps.defaultBranch(project);
    if (!p || !head || !ref.startsWith('refs/heads/') || ref === head.ref) return [];
    const pushed = await this.configAt(project, sha).catch((err: unknown) => {
      // An invalid file fails the run with its errors (configErrors); there is nothing to compare.
      if (isSlipwayError(err, 'DEPLOY_CONFIG_INVALID')) return undefined;
      throw err;
    });
    if (!pushed) return [];
    const rules = await this.rules(p).catch((err: unknown) => {
      // The default branch's own file is broken: say so on the run rather than fail the push.
      if (isSlipwayError(err, 'DEPLOY_CONFIG_INVALID')) return (err as Error).message.split('\n')[0]!;
      throw err;
    });
    if (typeof rules === 'string') return [rules];
    const serverRuled = new Set(rules.environments.filter((e) => e.source.kind === 'server').map((e) => e.env.name));
    return protectionNotes(pushed, rules.defaultConfig, ref.slice('refs/heads/'.length), head.ref.replace(/^refs\/heads\//, ''), serverRuled);
  }
}
