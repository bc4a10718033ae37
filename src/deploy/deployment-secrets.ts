// The environment's secrets a deployment passes to its containers (deploy.yml `env.secret`),
// resolved only once the deployment holds its environment's lock (after any approval gate).
import { SlipwayError } from '../core/errors.ts';
import type { Secrets } from '../auth/secrets.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { EnvironmentPlan } from './environment-plan.ts';

/** Name → value; without a secret store, listing a secret fails the deploy (SECRET_MISSING). */
export async function secretEnvFor(secrets: Secrets | undefined, deployment: Deployment, project: string, { config, env }: EnvironmentPlan): Promise<Record<string, string>> {
  if (config.env.secret.length === 0) return {};
  if (!secrets) throw new SlipwayError('SECRET_MISSING', `deploy.yml lists secrets (${config.env.secret.join(', ')}) but this server has no secret store`);
  return secrets.resolve(deployment.project_id, project, env.name, config.env.secret);
}
