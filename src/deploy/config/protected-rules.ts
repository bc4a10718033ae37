// Where an environment may go and who may send it there (DESIGN.md "Who may do what"):
// never the release's own deploy.yml, but the rules a maintainer set on the server
// (store.environmentRules) or else the environments block of deploy.yml at the head of the
// project's default branch (a protected branch). Server rules take precedence, per
// environment. A release contributes only what the app is (service, image, port,
// healthcheck, env.clear): see planFor.
import { SlipwayError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { Project } from '../../store/repos/projects.ts';
import { deployConfigAt, type ReadFileAt } from '../config-at.ts';
import type { EnvironmentPlan } from '../environment-plan.ts';
import { deployConfigFile, type DeployConfig, type EnvironmentConfig } from './deploy-config.ts';
import { readBlock } from './rules-block.ts';

/** A project's default branch and its head commit; undefined before the first push. */
export type DefaultBranchOf = (project: string) => Promise<{ ref: string; sha: string } | undefined>;

type RulesSource = { kind: 'server'; updatedBy: string; updatedAt: string } | { kind: 'default-branch'; ref: string; sha: string };

export interface ProtectedEnvironment {
  env: EnvironmentConfig;
  /** The secret names its deployments get (deploy.yml `env.secret` on the default branch, or the server's `secrets`). */
  secrets: string[];
  source: RulesSource;
}

export interface ProtectedRulesDeps {
  store: Store;
  readFile: ReadFileAt;
  defaultBranch: DefaultBranchOf;
}

export interface ProjectRules {
  environments: ProtectedEnvironment[];
  /** The default branch the file-based rules come from (undefined before the first push). */
  defaultBranch?: { ref: string; sha: string };
  /** deploy.yml on the default branch, when it has one. */
  defaultConfig?: DeployConfig;
}

/** Every environment of `project` with its protection; server rules first in precedence. */
export async function projectRules(deps: ProtectedRulesDeps, project: Project): Promise<ProjectRules> {
  const head = await deps.defaultBranch(project.name);
  let defaultConfig: DeployConfig | undefined;
  if (head) {
    try {
      defaultConfig = await deployConfigAt(deps.readFile, project.name, head.sha);
    } catch (err) {
      const branch = head.ref.replace(/^refs\/heads\//, '');
      throw new SlipwayError('DEPLOY_CONFIG_INVALID', `${deployConfigFile} on the default branch ${branch} (${head.sha.slice(0, 7)}) is invalid, and environments take their protection from it:\n${(err as Error).message}`);
    }
  }
  const stored = await deps.store.environmentRules.list(project.id);
  const names = [...new Set([...(defaultConfig?.environments.map((e) => e.name) ?? []), ...stored.map((s) => s.environment)])];
  const environments: ProtectedEnvironment[] = [];
  for (const name of names) {
    const row = stored.find((s) => s.environment === name);
    if (row) {
      const { env, secrets } = readBlock(name, row.block, names);
      environments.push({ env, secrets, source: { kind: 'server', updatedBy: row.updatedBy, updatedAt: row.updatedAt } });
      continue;
    }
    const env = defaultConfig!.environments.find((e) => e.name === name)!;
    environments.push({ env, secrets: [...defaultConfig!.env.secret], source: { kind: 'default-branch', ref: head!.ref, sha: head!.sha } });
  }
  return { environments, defaultBranch: head, defaultConfig };
}

/** One environment's protection; ENVIRONMENT_UNKNOWN when neither the server nor the default branch defines it. */
export async function protectedEnvironment(deps: ProtectedRulesDeps, project: Project, name: string): Promise<ProtectedEnvironment> {
  const rules = await projectRules(deps, project);
  const found = rules.environments.find((e) => e.env.name === name);
  if (found) return found;
  const branch = rules.defaultBranch?.ref.replace(/^refs\/heads\//, '');
  const where = branch ? `${deployConfigFile} on the default branch ${branch}` : `the default branch (${project.name} has none yet)`;
  const have = rules.environments.map((e) => e.env.name);
  throw new SlipwayError('ENVIRONMENT_UNKNOWN', `${project.name} has no environment "${name}": environments are defined by ${where} or set on the server (\`slipway environments set\`)${have.length ? `; it has ${have.join(', ')}` : ''}`);
}

/**
 * The deployment's plan: what the app is from the release's own deploy.yml, where it goes
 * and which secrets it gets from the environment's protection.
 */
export function planFor(release: DeployConfig, rules: ProtectedEnvironment): EnvironmentPlan {
  return { config: { ...release, env: { clear: release.env.clear, secret: rules.secrets } }, env: rules.env };
}
