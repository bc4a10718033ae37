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

/** What decides who a run acts for: its push event, its event name and `github.event`. */
interface RunOrigin {
  pushEventId?: string | null;
  event: string;
  payload: string | Record<string, unknown> | null | undefined;
}

/**
 * The Slipway user a run acts for: the pusher of a push through this instance's git hosting,
 * the sender of a dispatch (the API sets it); none for a schedule, and none for a push a
 * forge delivered — its pusher is a name on the forge, which anyone can pick there.
 */
export async function runActor(store: Store, run: RunOrigin): Promise<string | undefined> {
  if (!run.payload) return undefined;
  const payload = (typeof run.payload === 'string' ? JSON.parse(run.payload) : run.payload) as { pusher?: { name?: unknown }; sender?: { login?: unknown } };
  let name: unknown;
  if (run.event === 'push') name = run.pushEventId && !(await store.forges.isForgePush(run.pushEventId)) ? payload.pusher?.name : undefined;
  else if (run.event === 'workflow_dispatch' || run.event === 'repository_dispatch') name = payload.sender?.login;
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
