// The one place a request's caller is checked against a project: looks up the caller's role
// and whether the project is public, then asks `authorize`. Routes (through the router's
// guard), git hosting and the registry (at the front door) all come here.
import type { Store } from '../store/store.ts';
import type { User } from '../store/repos/users.ts';
import type { Project } from '../store/repos/projects.ts';
import { authorize, isProjectAction, permits, type Action, type Scope } from './permissions.ts';
import type { ProjectRole } from './roles.ts';

interface AccessOptions {
  /** config.yml `projects.create`. */
  projectsCreate: 'everyone' | 'admins';
}

export class Access {
  readonly #store: Store;
  readonly #options: AccessOptions;
  /** Service users (the built-in runner) allowed a few actions on every project, until job tokens replace them. */
  readonly #grants = new Map<string, ReadonlySet<Action>>();

  constructor(store: Store, options: AccessOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Lets `userId` do `actions` on every project (never approve: only listed actions pass). */
  grantEveryProject(userId: string, actions: readonly Action[]): void {
    this.#grants.set(userId, new Set(actions));
  }

  /** The caller's role in `project` (none for anonymous callers and non-members). */
  async roleIn(user: User | undefined, project: Project): Promise<ProjectRole | undefined> {
    if (!user) return undefined;
    return this.#store.members.roleOf(project.id, user.id);
  }

  async scopeOf(user: User | undefined, project: Project, extra: { environment?: string } = {}): Promise<Scope> {
    return { project: project.name, role: await this.roleIn(user, project), public: project.public === 1, ...extra, projectsCreate: this.#options.projectsCreate };
  }

  /**
   * Throws UNAUTHORIZED or FORBIDDEN unless `user` may do `action`; for a project action, in
   * `project` (a name or a row). A project that does not exist has nothing to protect: signed-in
   * callers pass, so the handler answers PROJECT_UNKNOWN as before; anonymous ones do not.
   */
  async check(user: User | undefined, action: Action, project?: string | Project, extra: { environment?: string } = {}): Promise<void> {
    if (!isProjectAction(action)) return authorize(user, action, { ...extra, projectsCreate: this.#options.projectsCreate, ...(typeof project === 'string' && { project }) });
    if (user && this.#grants.get(user.id)?.has(action)) return;
    const row = typeof project === 'string' ? await this.#store.projects.get(project) : project;
    if (!row) {
      if (user) return;
      return authorize(undefined, action, { project: typeof project === 'string' ? project : undefined, ...extra });
    }
    authorize(user, action, await this.scopeOf(user, row, extra));
  }

  /** The projects `user` may do `action` in: a listing shows only these (two queries, whatever the number of projects). */
  async projectsFor(user: User | undefined, action: Action): Promise<Project[]> {
    const all = await this.#store.projects.list();
    if (user && (user.role === 'admin' || this.#grants.get(user.id)?.has(action))) return all;
    const roles = user ? await this.#store.members.rolesOf(user.id) : new Map<string, ProjectRole>();
    return all.filter((p) => permits(user, action, { project: p.name, role: roles.get(p.id), public: p.public === 1 }));
  }
}
