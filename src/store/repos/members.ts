// Who holds which role in which project (migration 0007). The rule that a project keeps a
// maintainer is checked inside the transaction that would break it.
import type { Db } from '../database.ts';
import type { ProjectMembersTable } from '../schema.ts';
import { SlipwayError } from '../../core/errors.ts';
import { now } from './time.ts';

type MemberRole = ProjectMembersTable['role'];

export interface Member {
  userId: string;
  userName: string;
  role: MemberRole;
  createdAt: string;
  updatedAt: string;
}

export function membersRepo(db: Db) {
  return {
    async roleOf(projectId: string, userId: string): Promise<MemberRole | undefined> {
      const row = await db.selectFrom('project_members').select('role').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
      return row?.role;
    },
    async list(projectId: string): Promise<Member[]> {
      const rows = await db
        .selectFrom('project_members')
        .innerJoin('users', 'users.id', 'project_members.user_id')
        .select(['project_members.user_id', 'users.name', 'project_members.role', 'project_members.created_at', 'project_members.updated_at'])
        .where('project_members.project_id', '=', projectId)
        .orderBy('users.name')
        .execute();
      return rows.map((r) => ({ userId: r.user_id, userName: r.name, role: r.role, createdAt: r.created_at, updatedAt: r.updated_at }));
    },
    /** The roles `userId` holds, by project id. */
    async rolesOf(userId: string): Promise<Map<string, MemberRole>> {
      const rows = await db.selectFrom('project_members').select(['project_id', 'role']).where('user_id', '=', userId).execute();
      return new Map(rows.map((r) => [r.project_id, r.role]));
    },
    /**
     * Gives `userId` `role` in the project (added, or changed). Refuses (CONFLICT) to demote
     * the last maintainer. Returns the role held before, if any.
     */
    async set(projectId: string, userId: string, role: MemberRole, projectName: string): Promise<MemberRole | undefined> {
      return db.transaction().execute(async (tx) => {
        const before = await tx.selectFrom('project_members').select('role').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
        if (before?.role === 'maintainer' && role !== 'maintainer') await keepsMaintainer(tx, projectId, userId, projectName);
        const t = now();
        await tx
          .insertInto('project_members')
          .values({ project_id: projectId, user_id: userId, role, created_at: t, updated_at: t })
          .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role, updated_at: t }))
          .execute();
        return before?.role;
      });
    },
    /** Removes the membership; false when there was none. Refuses to remove the last maintainer. */
    async remove(projectId: string, userId: string, projectName: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const before = await tx.selectFrom('project_members').select('role').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
        if (!before) return false;
        if (before.role === 'maintainer') await keepsMaintainer(tx, projectId, userId, projectName);
        await tx.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
        return true;
      });
    },
  };
}

async function keepsMaintainer(tx: Db, projectId: string, leaving: string, projectName: string): Promise<void> {
  const others = await tx
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('role', '=', 'maintainer')
    .where('user_id', '!=', leaving)
    .executeTakeFirst();
  if (!others) throw new SlipwayError('CONFLICT', `project ${projectName} keeps at least one maintainer: add another maintainer first`);
}
