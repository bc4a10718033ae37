// GET /api/events: one Server-Sent Events stream per browser tab that names what changed
// (`{ type, project, id }`), so a page refetches the object it shows instead of polling.
// Each event goes to a caller only if they may read its object (runs.read, releases.read,
// deployments.read in its project, checked through Access per event: a role taken away
// stops the next event). Events are checked and written in the order they happened, as
// plain `message` events. A client too slow to take them is not buffered for: it gets one
// `event: resync` when its socket drains, meaning "refetch what you show".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import type { Access } from '../auth/access.ts';
import type { Action } from '../auth/permissions.ts';
import type { User } from '../store/repos/users.ts';
import { isSlipwayError } from '../core/errors.ts';

export type UpdateType = 'run-updated' | 'job-updated' | 'deployment-updated' | 'release-created';

interface Update {
  type: UpdateType;
  id: string;
  run?: string;
}

const readAction: Record<UpdateType, Action> = {
  'run-updated': 'runs.read',
  'job-updated': 'runs.read',
  'deployment-updated': 'deployments.read',
  'release-created': 'releases.read',
};

const heartbeatMs = 25_000;

/** The project id an update's object belongs to (undefined: gone meanwhile). */
async function projectIdOf(store: Store, u: Update): Promise<string | undefined> {
  switch (u.type) {
    case 'run-updated':
      return (await store.runs.get(u.id))?.project_id;
    case 'job-updated':
      return (await store.runs.get(u.run!))?.project_id;
    case 'deployment-updated':
      return (await store.deployments.get(u.id))?.project_id;
    case 'release-created':
      return (await store.releases.get(u.id))?.project_id;
  }
}

export async function streamUpdates(req: IncomingMessage, res: ServerResponse, deps: { events: EventBus; store: Store; access: Access; user: User | undefined }): Promise<void> {
  const { events, store, access, user } = deps;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': slipway live updates\n\n');
  // Object → project never changes: remembered per stream, bounded.
  const projectOf = new Map<string, string | undefined>();
  let closed = false;
  let behind = false;
  let chain = Promise.resolve();

  const visibleProject = async (u: Update): Promise<string | undefined> => {
    const key = `${u.type}:${u.id}`;
    let projectId = projectOf.get(key);
    if (projectId === undefined) {
      projectId = await projectIdOf(store, u);
      projectOf.set(key, projectId);
      if (projectOf.size > 1000) projectOf.delete(projectOf.keys().next().value!);
    }
    const project = projectId === undefined ? undefined : await store.projects.byId(projectId);
    if (!project) return undefined;
    try {
      await access.check(user, readAction[u.type], project);
      return project.name;
    } catch (err) {
      if (isSlipwayError(err, 'FORBIDDEN') || isSlipwayError(err, 'UNAUTHORIZED')) return undefined;
      throw err;
    }
  };

  const send = async (u: Update) => {
    if (closed) return;
    const project = await visibleProject(u);
    if (!project || closed) return;
    if (behind) return; // the resync on drain covers it
    // A plain `message` event: EventSource's onmessage receives it.
    const ok = res.write(`data: ${JSON.stringify({ type: u.type, project, id: u.id, ...(u.run ? { run: u.run } : {}) })}\n\n`);
    if (!ok) {
      behind = true;
      res.once('drain', () => {
        behind = false;
        if (!closed) res.write('event: resync\ndata: {}\n\n');
      });
    }
  };
  const queue = (u: Update) => {
    chain = chain.then(() => send(u)).catch((err: unknown) => {
      // A store error for one event must not end the stream or the process.
      if (!closed) res.write(`event: resync\ndata: ${JSON.stringify({ reason: (err as Error).message })}\n\n`);
    });
  };
  const onRun = (id: string) => queue({ type: 'run-updated', id });
  const onJob = (id: string, run: string) => queue({ type: 'job-updated', id, run });
  const onDeployment = (id: string) => queue({ type: 'deployment-updated', id });
  const onRelease = (id: string) => queue({ type: 'release-created', id });
  events.on('run-updated', onRun);
  events.on('job-updated', onJob);
  events.on('deployment-updated', onDeployment);
  events.on('release-created', onRelease);
  const heartbeat = setInterval(() => !behind && res.write(': keep-alive\n\n'), heartbeatMs);
  try {
    await new Promise<void>((resolve) => req.on('close', resolve));
  } finally {
    closed = true;
    clearInterval(heartbeat);
    events.off('run-updated', onRun);
    events.off('job-updated', onJob);
    events.off('deployment-updated', onDeployment);
    events.off('release-created', onRelease);
  }
}
