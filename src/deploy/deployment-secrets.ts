// The environment's secrets a deployment passes to its containers (deploy.yml `env.secret`),
// resolved only once the deployment holds its environment's lock (after any approval gate);
// and whether a workflow job that names an environment may have that environment's secrets.
import { SlipwayError } from '../core/errors.ts';
import { jobSecretValues, type Secrets } from '../auth/secrets.ts';
import type { SecretsFor } from '../scheduler/job-secrets.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { EnvironmentPlan } from './environment-plan.ts';
import type { DeployConfig } from './config/deploy-config.ts';
import { deployConfigAt, type ReadFileAt } from './config-at.ts';
import { gateRule } from './gate/approval-gate.ts';
import { branchAllowed } from './config/branch-policy.ts';

/** Name → value; without a secret store, listing a secret fails the deploy (SECRET_MISSING). */
export async function secretEnvFor(secrets: Secrets | undefined, deployment: Deployment, project: string, { config, env }: EnvironmentPlan): Promise<Record<string, string>> {
  if (config.env.secret.length === 0) return {};
  if (!secrets) throw new SlipwayError('SECRET_MISSING', `deploy.yml lists secrets (${config.env.secret.join(', ')}) but this server has no secret store`);
  return secrets.resolve(deployment.project_id, project, env.name, config.env.secret);
}

/**
 * Why a job naming `environment` may not have its secrets yet, or undefined when it may: the
 * environment's gate as deploy.yml defines it on the project's default branch (the protected
 * rules) and at the run's own commit — a commit can add protection for itself, never remove
 * it. An approval gate withholds them unless the job waited at that gate and got through
 * (`approved`: src/deploy/gate/job-approvals.ts, from the environment's protection), so
 * does a `branches:` list without the run's branch; a default branch whose deploy.yml does
 * not parse withholds them too, rather than guess.
 */
export async function environmentSecretsWithheld(readFile: ReadFileAt, project: string, run: { sha: string; ref: string }, environment: string, approved = false): Promise<string | undefined> {
  const branch = run.ref.startsWith('refs/heads/') ? run.ref.slice('refs/heads/'.length) : undefined;
  for (const [where, rev] of [['the default branch', 'HEAD'], [`commit ${run.sha.slice(0, 7)}`, run.sha]] as const) {
    let config: DeployConfig | undefined;
    try {
      config = await deployConfigAt(readFile, project, rev);
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'DEPLOY_CONFIG_INVALID') return `deploy.yml on ${where} is invalid, so the gate of ${environment} cannot be read`;
      throw err;
    }
    const env = config?.environments.find((e) => e.name === environment);
    if (!env) continue;
    if (gateRule(env) && !approved) {
      return `${environment} requires approval (deploy.yml on ${where}: approval), and the job was not approved: only the environment's protection (the server's rules or the default branch) makes a job wait for approval`;
    }
    if (env.branches && (branch === undefined || !branchAllowed(env.branches, branch))) {
      return `${environment} takes only branches ${env.branches.join(', ')} (deploy.yml on ${where}: branches), not ${branch ?? run.ref}`;
    }
  }
  return undefined;
}

/** The scheduler's `secretsFor`: project secrets for every job, an environment's once its gate allows. */
export function jobSecretsFor(secrets: Secrets, readFile: ReadFileAt): SecretsFor {
  return async ({ run, project, environment, approved }) => {
    const withheld = environment === undefined ? undefined : await environmentSecretsWithheld(readFile, project, run, environment, approved);
    return jobSecretValues(secrets, run.project_id, environment, withheld);
  };
}
