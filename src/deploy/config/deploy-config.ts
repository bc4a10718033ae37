// `.slipway/deploy.yml`: what the service is and where it runs (format in docs/deploy.md),
// as the frozen, typed values parse-deploy-config.ts makes of it.

/** Where a repository keeps its deploy config. */
export const deployConfigFile = '.slipway/deploy.yml';

export type DeployStrategy = 'blue-green' | 'recreate' | 'rolling';

export interface HealthcheckConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  deadlineMs: number;
}

export interface EnvironmentConfig {
  name: string;
  /** Pushes to this branch deploy here automatically. */
  branch?: string;
  /** Releases come from this environment (the digest that passed there), not from a branch. */
  promoteFrom?: string;
  /**
   * Approvals (required: 0 with a wait alone) and a wait timer from the deployment's creation;
   * `approvers`: the only users who may approve (default: the project's maintainers).
   */
  approval?: { required: number; notAuthor: boolean; waitMs?: number; approvers?: string[] };
  /** Only releases built from these branches (names or `*` / `**` globs) may be deployed here. */
  branches?: string[];
  /** `local`, or `ssh://user@host[:port]`. */
  hosts: string[];
  /** Host port where the environment's proxy listens. */
  publish?: number;
  strategy: DeployStrategy;
  /** rolling: hosts switched per batch (default 1). */
  batchSize?: number;
  /** Hosts worked on at once, so connections stay bounded (default 10). */
  maxParallel?: number;
}

export interface DeployConfig {
  service: string;
  image: string;
  port: number;
  healthcheck: HealthcheckConfig;
  drainTimeoutMs: number;
  /** Grace between SIGTERM and SIGKILL when the old container stops (after draining). */
  stopTimeoutMs: number;
  env: { clear: Record<string, string>; secret: string[] };
  environments: EnvironmentConfig[];
}

/** The environments that deploy automatically on a push to `branch` (`main` or `refs/heads/main`). */
export function environmentsForBranch(config: DeployConfig, branch: string): EnvironmentConfig[] {
  const name = branch.replace(/^refs\/heads\//, '');
  return config.environments.filter((e) => e.branch === name);
}
