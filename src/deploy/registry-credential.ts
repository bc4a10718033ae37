// How the hosts of one deployment sign in to Slipway's registry: a credential made for that
// deployment (the composition root makes it a pull-only token for the release's repository,
// src/auth/tokens.ts), revoked when the deployment ends. Never a user's or the runner's token.
import type { Deployment } from '../store/repos/deployments.ts';

export interface PullCredential {
  username: string;
  password: string;
  revoke(): Promise<void>;
}

export interface DeployRegistry {
  insecure: boolean;
  /** A credential that may pull `repository` (`<project>/<image>`) while `deployment` lasts. */
  pullCredential(deployment: Deployment, repository: string): Promise<PullCredential>;
  /** Whether the registry still holds manifest `digest` of `repository` (retention and GC remove old ones). */
  holds(repository: string, digest: string): Promise<boolean>;
}
