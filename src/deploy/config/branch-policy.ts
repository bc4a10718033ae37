// deploy.yml `branches:` — which branches an environment takes releases from. Checked before
// a deployment is recorded, whatever asked for it (push, manual deploy, promotion, rollback).
import type { Release } from '../../store/repos/releases.ts';
import type { EnvironmentConfig } from './deploy-config.ts';
import { SlipwayError } from '../../core/errors.ts';
import { matchesPatterns } from '../../workflow/glob.ts';

/**
 * Whether `branch` (a name, without refs/heads/) is selected by `patterns`: GitHub's filter
 * patterns, the syntax of `on.push.branches` (docs/deploy.md `branches`).
 */
export function branchAllowed(patterns: readonly string[], branch: string): boolean {
  return matchesPatterns(branch, patterns);
}

/** Throws BRANCH_NOT_ALLOWED (422) when the environment lists `branches` and the release was built elsewhere. */
export function checkBranchAllowed(env: EnvironmentConfig, release: Release): void {
  if (!env.branches) return;
  const branch = release.ref.startsWith('refs/heads/') ? release.ref.slice('refs/heads/'.length) : undefined;
  if (branch !== undefined && branchAllowed(env.branches, branch)) return;
  const from = branch !== undefined ? `branch ${branch}` : `${release.ref} (not a branch)`;
  throw new SlipwayError('BRANCH_NOT_ALLOWED', `release ${release.id} (commit ${release.sha.slice(0, 7)}) was built from ${from}; ${env.name} takes releases only from ${env.branches.join(', ')} (branches in deploy.yml)`, {
    detail: { branch: branch ?? null, ref: release.ref, allowed: env.branches },
  });
}
