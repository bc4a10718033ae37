// The decision of Slipway's pre-receive hook (githooks(5) §pre-receive): given the server's
// verdicts and the updates git is about to apply, the reason for each refused one. Any refusal
// makes the hook exit non-zero, so git applies none of the push (its refs stay as they were).
import { isZeroSha } from './repo-read.ts';
import { refsDigest, type PushPolicy } from './push-policy.ts';
import type { PushCommand } from './push-commands.ts';

/** `<old> SP <new> SP <ref>` lines, as git feeds them on the hook's stdin. */
export function parseHookInput(text: string): PushCommand[] {
  return text.split('\n').filter(Boolean).map((line) => {
    const [before = '', after = '', ref = ''] = line.split(' ');
    return { before, after, ref };
  });
}

const plural = (role: string) => `${role}s`;
function rolesText(roles: readonly string[]): string {
  const names = roles.length > 0 ? roles.map(plural) : ['admins'];
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** What the check asks the repository, with the pushed objects (still in quarantine) visible. */
interface RepoQueries {
  /** `git merge-base --is-ancestor old new`. */
  isAncestor(before: string, after: string): Promise<boolean>;
  /** The ref's value now; undefined when it does not exist. */
  current(ref: string): Promise<string | undefined>;
}

/** Refusal messages, one per refused update; [] lets the push through. */
export async function refusals(policy: PushPolicy | undefined, updates: readonly PushCommand[], repo: RepoQueries): Promise<string[]> {
  if (!policy) return ['push refused: Slipway did not pass this push a branch protection policy'];
  if (policy.refuseAll) return [policy.refuseAll];
  // Fail closed: a ref the server did not check could be a protected branch.
  if (refsDigest(updates.map((u) => u.ref)) !== policy.refsDigest) return ['push refused: the updated refs differ from the ones Slipway checked; push again'];
  const out: string[] = [];
  for (const u of updates) {
    const verdict = policy.protected[u.ref];
    if (!verdict || u.before === u.after) continue;
    const protectedIn = `${u.ref} is protected in project ${policy.project}`;
    if (isZeroSha(u.after)) {
      out.push(`${protectedIn}: deletion is not allowed (rule "${verdict.deleteRule}")`);
    } else if (verdict.pushRule) {
      const you = policy.role ? `you are ${policy.role}` : 'you have no role in this project';
      out.push(`${protectedIn}: only ${rolesText(verdict.pushRule.roles)} may push (${you}) (rule "${verdict.pushRule.pattern}")`);
    } else if (verdict.forceRule) {
      // Against the ref's value now, not the old value the client claims (git checks that
      // claim only after this hook).
      const now = await repo.current(u.ref);
      if (now !== undefined && !(await repo.isAncestor(now, u.after))) out.push(`${protectedIn}: force-push is not allowed (rule "${verdict.forceRule}")`);
    }
  }
  return out;
}
