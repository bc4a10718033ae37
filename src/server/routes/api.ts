// The JSON API under /api (authenticated by the caller). Listings return arrays; single
// resources return objects; errors return { error: { code, message } }.
import { z } from 'zod';
import type { RequestContext, Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { Scheduler } from '../../scheduler/scheduler.ts';
import type { EventBus } from '../../core/events.ts';
import { streamLogs } from '../sse.ts';
import { isDeploymentFinished, isFinished } from '../../core/types.ts';
import { attemptParam, findRun as findRunIn, logJobId, runView as viewOf } from '../run-view.ts';

export interface ApiDeps {
  store: Store;
  scheduler: Scheduler;
  events: EventBus;
  version: string;
}

const createProjectBody = z.strictObject({ name: z.string() });

export function registerApi(router: Router, deps: ApiDeps): void {
  const { store } = deps;

  const findRun = (ref: string) => findRunIn(store, ref);

  const logSource = {
    read: (stream: string, after: number) => store.logs.read(stream, after),
    async isFinished(stream: string) {
      const [kind, id] = stream.split(':');
      if (kind === 'job') {
        const job = await store.runs.job(id!);
        return !job || isFinished(job.status);
      }
      const d = await store.deployments.get(id!);
      return !d || isDeploymentFinished(d.status);
    },
  };

  async function sendLogs(ctx: RequestContext, streams: { stream: string; title: string }[]) {
    const follow = ctx.url.searchParams.has('follow') || ctx.req.headers.accept === 'text/event-stream';
    if (follow) {
      await streamLogs(ctx.req, ctx.res, deps.events, logSource, streams.map((s) => s.stream));
      return;
    }
    let text = '';
    for (const s of streams) {
      if (streams.length > 1) text += `=== ${s.title} ===\n`;
      for (const c of await store.logs.read(s.stream)) text += c.text;
    }
    ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    ctx.res.end(text);
  }

  router
    .on('GET', '/api/version', ({ res }) => sendJson(res, 200, { version: deps.version }))
    .on('GET', '/api/projects', async ({ res }) => {
      sendJson(res, 200, (await store.projects.list()).map((p) => ({ name: p.name, createdAt: p.created_at })));
    })
    .on('POST', '/api/projects', async ({ req, res }) => {
      const { name } = await readBody(req, createProjectBody, '{"name": "<project>"}');
      const existing = await store.projects.get(name);
      const p = existing ?? (await store.projects.ensure(name));
      sendJson(res, existing ? 200 : 201, { name: p.name, createdAt: p.created_at });
    })
    .on('GET', '/api/runs', async ({ res, url }) => {
      const projectName = url.searchParams.get('project');
      const project = projectName ? await store.projects.require(projectName) : undefined;
      const runs = await store.runs.list({ projectId: project?.id, limit: Number(url.searchParams.get('limit') ?? 50) });
      sendJson(res, 200, await Promise.all(runs.map((r) => viewOf(store, r))));
    })
    .on('GET', '/api/runs/:run', async ({ res, params, url }) => {
      const run = await findRun(params.run!);
      sendJson(res, 200, await viewOf(store, run, attemptParam(run, url.searchParams.get('attempt'))));
    })
    .on('POST', '/api/runs/:run/cancel', async ({ res, params }) => {
      const run = await findRun(params.run!);
      await deps.scheduler.cancelRun(run.id);
      sendJson(res, 202, await viewOf(store, await store.runs.require(run.id)));
    })
    .on('GET', '/api/runs/:run/logs', async (ctx) => {
      const run = await findRun(ctx.params.run!);
      const jobs = await store.runs.jobs(run.id, attemptParam(run, ctx.url.searchParams.get('attempt')));
      await sendLogs(ctx, jobs.map((j) => ({ stream: `job:${logJobId(j)}`, title: j.name })));
    })
    .on('GET', '/api/releases', async ({ res, url }) => {
      const project = await store.projects.require(url.searchParams.get('project') ?? '');
      sendJson(res, 200, (await store.releases.list(project.id)).map((r) => ({ id: r.id, sha: r.sha, ref: r.ref, image: r.image, digest: r.digest, createdAt: r.created_at })));
    })
    // GET /api/deployments and /api/deployments/:id are in deploy-api.ts (lock and approvals).
    .on('GET', '/api/deployments/:id/logs', async (ctx) => {
      const d = await store.deployments.require(ctx.params.id!);
      await sendLogs(ctx, [{ stream: `deployment:${d.id}`, title: `deployment ${d.number}` }]);
    })
    .on('GET', '/api/environments', async ({ res, url }) => {
      const project = await store.projects.require(url.searchParams.get('project') ?? '');
      const states = (await store.deployments.allStates()).filter((s) => s.project_id === project.id);
      sendJson(res, 200, states.map((s) => ({ environment: s.environment, release: s.release_id, container: s.container, url: s.publish ? `http://127.0.0.1:${s.publish}` : null, updatedAt: s.updated_at })));
    });
}
