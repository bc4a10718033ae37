// Runners (admins): every runner that has claimed work or heartbeated, online while seen
// within a lease, with its labels and the jobs it holds now (issue 11 "runners").
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { RunnerState } from '../../store/repos/runners.ts';

export interface RunnerView {
  name: string;
  online: boolean;
  labels: string[];
  /** As an admin set it: active, paused or draining (slipway runners pause|drain|resume). */
  state: RunnerState;
  /** Jobs it runs at once and its Slipway version, as a remote runner said when it connected (null: not said). */
  concurrency: number | null;
  version: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The jobs it runs now (the built-in runner takes several at once). */
  jobs: { id: string; name: string; runId: string; project: string | undefined; runNumber: number; startedAt: string | null }[];
}

export async function runnerViews(store: Store, onlineMs: number, now = Date.now()): Promise<RunnerView[]> {
  const running = await store.runs.runningJobs();
  const runs = new Map(await Promise.all([...new Set(running.map((j) => j.run_id))].map(async (id) => [id, await store.runs.require(id)] as const)));
  const projects = new Map<string, string | undefined>();
  for (const run of runs.values()) if (!projects.has(run.project_id)) projects.set(run.project_id, (await store.projects.byId(run.project_id))?.name);
  return (await store.runners.list()).map((r) => ({
    name: r.name,
    online: now - Date.parse(r.lastSeenAt) <= onlineMs,
    labels: r.labels,
    state: r.state,
    concurrency: r.concurrency,
    version: r.version,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    jobs: running
      .filter((j) => j.runner === r.name)
      .map((j) => {
        const run = runs.get(j.run_id)!;
        return { id: j.id, name: j.name, runId: run.id, project: projects.get(run.project_id), runNumber: run.number, startedAt: j.started_at };
      }),
  }));
}

/** `onlineMs` is read per request: routes are registered before (and without) a scheduler in some tests. */
export function registerRunnersApi(router: Router, deps: { store: Store; onlineMs: () => number }): void {
  router.route({ method: 'GET', path: '/api/runners', summary: 'Runners: online, labels, the jobs they run now (admins)', permission: 'runners.read' }, async ({ res }) => {
    sendJson(res, 200, await runnerViews(deps.store, deps.onlineMs()));
  });
}
