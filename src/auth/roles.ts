// Project roles, Gitea/GitLab style: each carries everything the ones below it carry.
export const projectRoles = ['viewer', 'developer', 'maintainer'] as const;

export type ProjectRole = (typeof projectRoles)[number];

/** Whether `role` carries at least what `needed` carries. */
export function atLeast(role: ProjectRole, needed: ProjectRole): boolean {
  return projectRoles.indexOf(role) >= projectRoles.indexOf(needed);
}
