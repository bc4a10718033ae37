// What the pre-receive hook is told about one push: the server matches the pushed branches
// against the project's rules (it owns the glob grammar and the roles) and hands the hook only
// verdicts, through the environment as JSON. The hook does what needs the pushed objects:
// the ancestry check of a force-push.
import { createHash } from 'node:crypto';
import type { BranchRule, PushRole } from '../store/repos/protected-branches.ts';
import type { PushCommand } from './push-commands.ts';

/** A user's role on a project, as the composition root's `roleOn` answers it. */
export type ProjectRole = 'admin' | 'maintainer' | 'developer' | 'viewer';

/** The refusals a rule set holds for one protected branch of this push. */
interface RefVerdict {
  /** Deletion is refused on every protected branch; the first matching rule is named. */
  deleteRule: string;
  /** The first matching rule whose push roles leave the user out, with those roles. */
  pushRule?: { pattern: string; roles: PushRole[] };
  /** The first matching rule that refuses force-pushes. */
  forceRule?: string;
}

export interface PushPolicy {
  project: string;
  role: ProjectRole | null;
  /** sha256 over the sorted ref names the server checked: the hook refuses a push whose list differs. */
  refsDigest: string;
  /** Verdicts for the protected branches of this push, by full ref name. */
  protected: Record<string, RefVerdict>;
  /** Set when the server refuses the whole push (it could not pass the verdicts on). */
  refuseAll?: string;
}

/** The environment variable the policy travels in. */
export const policyEnvName = 'SLIPWAY_PUSH_POLICY';
/** Far below Linux's 128 KiB limit on one environment string. */
const maxPolicyBytes = 96 * 1024;

/** The policy as the hook's environment variable; a policy too large for one is a refusal. */
export function policyEnv(policy: PushPolicy): Record<string, string> {
  let json = JSON.stringify(policy);
  if (Buffer.byteLength(json) > maxPolicyBytes) {
    const n = Object.keys(policy.protected).length;
    json = JSON.stringify({ ...policy, protected: {}, refuseAll: `push refused: it updates ${n} protected branches at once; push them in smaller groups` } satisfies PushPolicy);
  }
  return { [policyEnvName]: json };
}

export function refsDigest(refs: Iterable<string>): string {
  return createHash('sha256').update([...new Set(refs)].sort().join('\n')).digest('hex');
}

interface PolicyInput {
  project: string;
  role: ProjectRole | undefined;
  rules: readonly BranchRule[];
  commands: readonly PushCommand[];
  /** Whether branch name `branch` matches `pattern` (the glob grammar of on.push.branches). */
  matches: (branch: string, pattern: string) => boolean;
}

export function pushPolicy(input: PolicyInput): PushPolicy {
  const verdicts: Record<string, RefVerdict> = {};
  for (const { ref } of input.commands) {
    if (!ref.startsWith('refs/heads/')) continue;
    const branch = ref.slice('refs/heads/'.length);
    const matching = input.rules.filter((r) => input.matches(branch, r.pattern));
    if (matching.length === 0) continue;
    const mayPush = (r: BranchRule) => input.role === 'admin' || (input.role !== undefined && (r.pushRoles as string[]).includes(input.role));
    const push = matching.find((r) => !mayPush(r));
    const force = matching.find((r) => !r.allowForcePush);
    verdicts[ref] = {
      deleteRule: matching[0]!.pattern,
      ...(push && { pushRule: { pattern: push.pattern, roles: push.pushRoles } }),
      ...(force && { forceRule: force.pattern }),
    };
  }
  return { project: input.project, role: input.role ?? null, refsDigest: refsDigest(input.commands.map((c) => c.ref)), protected: verdicts };
}
