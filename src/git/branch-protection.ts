// Protected branches of a project (issue 9 item 4): the rules in force, changing them, and the
// policy one push gets. A project nobody customized has one rule, on its default branch (the
// repository's HEAD), where only maintainers (and admins) push; force-push and deletion are
// refused on every protected branch. Who may change rules is checked by the caller (the API,
// permission branches.protect), since roles come from outside this folder.
import type { User } from '../store/repos/users.ts';
import type { BranchRule, NewBranchRule, protectedBranchesRepo } from '../store/repos/protected-branches.ts';
import { pushPolicy, type ProjectRole, type PushPolicy } from './push-policy.ts';
import type { PushCommand } from './push-commands.ts';

export interface BranchProtectionOptions {
  rules: ReturnType<typeof protectedBranchesRepo>;
  /** The user's role on a project; undefined when they have none. */
  roleOn: (user: User, project: string) => Promise<ProjectRole | undefined>;
  /** Whether branch name `branch` matches `pattern` (src/workflow/glob.ts, injected: it is a later folder). */
  matches: (branch: string, pattern: string) => boolean;
}

export interface ProjectRules {
  rules: BranchRule[];
  /** False while the default rule applies because nobody changed the project's rules. */
  customized: boolean;
}

export class BranchProtection {
  readonly #options: BranchProtectionOptions;
  readonly #defaultBranch: (project: string) => Promise<string>;

  constructor(options: BranchProtectionOptions, defaultBranch: (project: string) => Promise<string>) {
    this.#options = options;
    this.#defaultBranch = defaultBranch;
  }

  roleOn(user: User, project: string): Promise<ProjectRole | undefined> {
    return this.#options.roleOn(user, project);
  }

  async defaults(project: string): Promise<BranchRule[]> {
    return [{ pattern: await this.#defaultBranch(project), pushRoles: ['maintainer'], allowForcePush: false, createdBy: 'slipway', createdAt: new Date(0).toISOString() }];
  }

  async rules(project: string): Promise<ProjectRules> {
    const stored = await this.#options.rules.list(project);
    return stored ? { rules: stored, customized: true } : { rules: await this.defaults(project), customized: false };
  }

  /** Adds or replaces the rule for `rule.pattern`. Maintainers can always push, so they are always among the push roles. */
  async protect(project: string, rule: NewBranchRule, by: string): Promise<BranchRule> {
    const pushRoles = [...new Set(['maintainer' as const, ...rule.pushRoles])];
    return this.#options.rules.protect(project, { ...rule, pushRoles }, by, await this.defaults(project));
  }

  /** False when no rule has this pattern. */
  async unprotect(project: string, pattern: string, by: string): Promise<boolean> {
    return this.#options.rules.unprotect(project, pattern, by, await this.defaults(project));
  }

  /** Whether `ref` is a branch a rule protects (`github.ref_protected`); tags never are. */
  async protects(project: string, ref: string): Promise<boolean> {
    if (!ref.startsWith('refs/heads/')) return false;
    const branch = ref.slice('refs/heads/'.length);
    return (await this.rules(project)).rules.some((r) => this.#options.matches(branch, r.pattern));
  }

  async policy(user: User, project: string, commands: readonly PushCommand[]): Promise<PushPolicy> {
    const [role, { rules }] = await Promise.all([this.roleOn(user, project), this.rules(project)]);
    return pushPolicy({ project, role, rules, commands, matches: this.#options.matches });
  }
}
