// Which buttons to show: the server's own permission table (src/auth/permissions.ts) applied
// to the signed-in user's instance role and their role in the project. The server still
// enforces every action; this only hides what would be refused.
import { permits, type Action } from '../../src/auth/permissions.ts';
import type { Project, SessionUser } from './types.ts';

export function can(user: SessionUser | undefined, action: Action, project?: Project, environment?: string): boolean {
  if (!user) return false;
  // permits() reads only the role of the user it is given.
  const asUser = { name: user.name, role: user.role } as Parameters<typeof permits>[0];
  return permits(asUser, action, { project: project?.name, role: project?.role ?? undefined, public: project?.public, environment });
}
