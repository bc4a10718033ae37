// Delivery metrics (DORA) of a project's environment: GET /api/projects/:project/metrics
// gathers the environment's deployments, their releases' commits and the commits' times,
// and src/deploy/metrics.ts computes the figures. `slipway metrics` prints the same.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import { deliveryMetrics, type MetricDeployment } from '../../deploy/metrics.ts';
import { environmentName, projectName } from './fields.ts';

export interface MetricsApiDeps {
  store: Store;
  /** The committer time (ISO) of each commit of the project's repository it has. */
  commitTimes: (project: string, shas: readonly string[]) => Promise<Map<string, string>>;
}

/** Deployments of one environment read at most (newest first): years of a busy team's history. */
const historyLimit = 10_000;

const metricsQuery = z.object({
  environment: environmentName.optional().describe('environment; default production, or else the one deployed to last'),
  days: z.string().regex(/^\d+$/, 'expected a whole number of days').transform(Number).pipe(z.number().int().min(1).max(365)).optional().describe('window in days (1–365), default 30'),
});

export function registerMetricsApi(router: Router, deps: MetricsApiDeps): void {
  const { store } = deps;
  router.route(
    {
      method: 'GET', path: '/api/projects/:project/metrics', summary: 'Delivery metrics of an environment: deployment frequency, lead time, change failure rate, time to restore, and a daily series',
      permission: 'deployments.read', params: z.object({ project: projectName }), query: metricsQuery,
    },
    async ({ res, params, query }) => {
      const project = await store.projects.require(params.project);
      const days = query.days ?? 30;
      let environment = query.environment;
      if (!environment) {
        const production = await store.deployments.list({ projectId: project.id, environment: 'production', limit: 1 });
        environment = production.length > 0 ? 'production' : ((await store.deployments.list({ projectId: project.id, limit: 1 }))[0]?.environment ?? 'production');
      }
      const rows = await store.deployments.list({ projectId: project.id, environment, limit: historyLimit });
      const releases = new Map((await store.releases.list(project.id, historyLimit)).map((r) => [r.id, r]));
      const times = await deps.commitTimes(project.name, rows.flatMap((d) => releases.get(d.release_id)?.sha ?? []));
      const deployments: MetricDeployment[] = rows.map((d) => {
        const sha = releases.get(d.release_id)?.sha;
        return { id: d.id, status: d.status, trigger: d.trigger, created_at: d.created_at, finished_at: d.finished_at, committed_at: (sha && times.get(sha)) ?? null };
      });
      sendJson(res, 200, { project: project.name, environment, ...deliveryMetrics(deployments, { days, now: Date.now() }) });
    },
  );
}
