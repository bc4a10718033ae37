// Where a deployment goes: an environment as the release's own deploy.yml defines it, read
// once when the deployment is requested and reused through its gate, queue and rollout.
import type { DeployConfig, EnvironmentConfig } from './config/deploy-config.ts';

export interface EnvironmentPlan {
  config: DeployConfig;
  env: EnvironmentConfig;
}
