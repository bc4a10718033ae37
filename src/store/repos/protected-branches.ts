// Branch protection rules per project (0008). A project nobody customized has no rows: the
// caller supplies its default rules, and the first change stores those defaults with the
// change in one transaction, so unprotecting the default branch sticks.
import type { Db } from '../database.ts';
import { now } from './time.ts';

/** Project roles that a rule may let push; admins always may. */
export type PushRole = 'maintainer' | 'developer';

export interface BranchRule {
  pattern: string;
  pushRoles: PushRole[];
  allowForcePush: boolean;
  /** `slipway` for the default rule nobody stored. */
  createdBy: string;
  createdAt: string;
}

export type NewBranchRule = Omit<BranchRule, 'createdBy' | 'createdAt'>;

const pushRoles = (json: string): PushRole[] => (JSON.parse(json) as string[]).filter((r): r is PushRole => r === 'maintainer' || r === 'developer');

export function protectedBranchesRepo(db: Db) {
  type Tx = Parameters<Parameters<ReturnType<Db['transaction']>['execute']>[0]>[0];

  /** Stores `defaults` and the customized mark unless the project has them already. */
  async function customize(tx: Tx, project: string, by: string, defaults: readonly BranchRule[]): Promise<void> {
    const marked = await tx.selectFrom('protected_branch_projects').select('project').where('project', '=', project).executeTakeFirst();
    if (marked) return;
    await tx.insertInto('protected_branch_projects').values({ project, customized_by: by, customized_at: now() }).execute();
    for (const d of defaults) {
      await tx
        .insertInto('protected_branches')
        .values({ project, pattern: d.pattern, push_roles: JSON.stringify(d.pushRoles), allow_force_push: d.allowForcePush ? 1 : 0, created_by: d.createdBy, created_at: d.createdAt })
        .execute();
    }
  }

  return {
    /** The stored rules, or undefined when nobody customized the project (its defaults apply). */
    async list(project: string): Promise<BranchRule[] | undefined> {
      const marked = await db.selectFrom('protected_branch_projects').select('project').where('project', '=', project).executeTakeFirst();
      if (!marked) return undefined;
      const rows = await db.selectFrom('protected_branches').selectAll().where('project', '=', project).orderBy('pattern').execute();
      return rows.map((r) => ({ pattern: r.pattern, pushRoles: pushRoles(r.push_roles), allowForcePush: r.allow_force_push === 1, createdBy: r.created_by, createdAt: r.created_at }));
    },
    /** Adds or replaces the rule for `rule.pattern`. */
    async protect(project: string, rule: NewBranchRule, by: string, defaults: readonly BranchRule[]): Promise<BranchRule> {
      const stored: BranchRule = { ...rule, createdBy: by, createdAt: now() };
      await db.transaction().execute(async (tx) => {
        await customize(tx, project, by, defaults);
        const values = { push_roles: JSON.stringify(stored.pushRoles), allow_force_push: stored.allowForcePush ? 1 : 0, created_by: by, created_at: stored.createdAt };
        await tx
          .insertInto('protected_branches')
          .values({ project, pattern: rule.pattern, ...values })
          .onConflict((oc) => oc.columns(['project', 'pattern']).doUpdateSet(values))
          .execute();
      });
      return stored;
    },
    /** Removes the rule for `pattern`; false when there was none. */
    async unprotect(project: string, pattern: string, by: string, defaults: readonly BranchRule[]): Promise<boolean> {
      const current = (await this.list(project)) ?? defaults;
      if (!current.some((r) => r.pattern === pattern)) return false;
      return db.transaction().execute(async (tx) => {
        await customize(tx, project, by, defaults);
        const result = await tx.deleteFrom('protected_branches').where('project', '=', project).where('pattern', '=', pattern).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
  };
}
