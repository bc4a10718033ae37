// Who may use an action of another project (docs/security.md, "Remote actions"): a run uses
// code of project B (`uses: local/B@ref`) only if the person who started it could read B
// themselves — its own project, a public one, or one where the pusher or dispatcher holds a
// role. Otherwise a developer of A could read B's private code by naming it in A's workflow
// (the action's files land in A's job, whose log and artifacts A's members read). Mirrored
// actions are for everyone: an admin put them there for every project.
import type { Access } from '../../auth/access.ts';
import { isSlipwayError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import type { ActionSources, ResolveAccess } from './action-sources.ts';

/** The server's action sources and what a run may read through them. */
export interface RunActionSources {
  sources: ActionSources;
  /** What a run of `project` started by `actor` may read (runActionAccess on the server; everything for `slipway run`). */
  accessFor(project: string, actor: string | undefined): ResolveAccess;
}

/** The person a run acts for: the pusher of a push, the sender of a dispatch; none for a schedule. */
export function runActor(eventPayload: string | Record<string, unknown> | null | undefined): string | undefined {
  if (!eventPayload) return undefined;
  const payload = (typeof eventPayload === 'string' ? JSON.parse(eventPayload) : eventPayload) as { pusher?: { name?: unknown }; sender?: { login?: unknown } };
  const name = payload.pusher?.name ?? payload.sender?.login;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** What a run of `project` started by `actor` may read, for ActionSources.resolve. */
export function runActionAccess(store: Store, access: Access, project: string, actor: string | undefined): ResolveAccess {
  return {
    who: actor ? `the run's pusher ${actor}` : `a run of ${project} started by no user`,
    async mayRead(other) {
      if (other === project) return true;
      const row = await store.projects.get(other);
      if (!row) return false;
      if (row.public === 1) return true;
      const user = actor === undefined ? undefined : await store.users.byName(actor);
      if (!user) return false;
      try {
        await access.check(user, 'git.read', row);
        return true;
      } catch (err) {
        if (isSlipwayError(err, 'FORBIDDEN') || isSlipwayError(err, 'UNAUTHORIZED')) return false;
        throw err;
      }
    },
  };
}
