// Where a deployment goes: the environment's protection (config/protected-rules.ts: the
// server's rules or the default branch's deploy.yml) joined with what the app is (the
// release's own deploy.yml), read once when the deployment is requested and reused through
// its gate, queue and rollout.
import type { DeployConfig, EnvironmentConfig } from './config/deploy-config.ts';

export interface EnvironmentPlan {
  /** The release's deploy.yml, its `env.secret` replaced by the names the environment allows. */
  config: DeployConfig;
  /** The environment as its protection defines it (never the release's block). */
  env: EnvironmentConfig;
}
