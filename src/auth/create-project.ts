// A project made by a user (a first push, `slipway project create`): its creator becomes its
// maintainer, so every project starts with someone who may manage it.
import type { Store } from '../store/store.ts';
import type { User } from '../store/repos/users.ts';
import type { Project } from '../store/repos/projects.ts';

/** Creates `name` for `creator`; `created` is false when it existed already (nothing changes then). */
export async function createProject(store: Store, name: string, creator: User): Promise<{ project: Project; created: boolean }> {
  const existing = await store.projects.get(name);
  if (existing) return { project: existing, created: false };
  const project = await store.projects.ensure(name);
  // Two first pushes at once may both see no row; both then become maintainers, which
  // both were entitled to (each may create projects).
  await store.members.set(project.id, creator.id, 'maintainer', name);
  return { project, created: true };
}
