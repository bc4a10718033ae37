// Live updates for the web UI (src/server/live-updates.ts): open to anyone, since each
// event is filtered by what the caller may read (anonymous callers: public projects only).
import type { Router } from '../http/router.ts';
import type { EventBus } from '../../core/events.ts';
import type { Store } from '../../store/store.ts';
import type { Access } from '../../auth/access.ts';
import { streamUpdates } from '../live-updates.ts';

export function registerEventsApi(router: Router, deps: { events: EventBus; store: Store; access: Access }): void {
  router.route(
    { method: 'GET', path: '/api/events', summary: 'Server-Sent Events: {type, project, id} for each run, job, deployment and release the caller may read that changed', permission: 'events.read' },
    ({ req, res, user }) => streamUpdates(req, res, { ...deps, user }),
  );
}
