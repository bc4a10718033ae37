// Listings across projects show only the projects the caller may read: the newest `limit`
// rows of those projects, merged in the store's order (newest first).
import type { Access } from '../auth/access.ts';
import type { Action } from '../auth/permissions.ts';
import type { User } from '../store/repos/users.ts';

interface Row {
  created_at: string;
  number: number;
}

export async function newestVisible<T extends Row>(access: Access, user: User | undefined, action: Action, limit: number, rowsOf: (projectId: string | undefined) => Promise<T[]>): Promise<T[]> {
  if (user?.role === 'admin') return rowsOf(undefined);
  const projects = await access.projectsFor(user, action);
  const rows = (await Promise.all(projects.map((p) => rowsOf(p.id)))).flat();
  return rows.sort((a, b) => (a.created_at === b.created_at ? b.number - a.number : a.created_at < b.created_at ? 1 : -1)).slice(0, limit);
}
