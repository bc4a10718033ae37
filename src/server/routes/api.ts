// The JSON API under /api (authenticated by the caller). Listings return arrays; single
// resources return objects; errors return { error: { code, message } }.
import { z } from 'zod';
import { signedIn, type RouteContext } from '../http/route.ts';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import type { Scheduler } from '../../scheduler/scheduler.ts';
import type { EventBus } from '../../core/events.ts';
import type { Access } from '../../auth/access.ts';
import { createProject } from '../../auth/create-project.ts';
import { newestVisible } from '../visible.ts';
import { streamLogs } from '../sse.ts';
import { logPages, writeWithBackpressure } from '../log-pages.ts';
import { attemptParam, findRun as findRunIn, jobAttemptParam, logJobId, runView as viewOf } from '../run-view.ts';
import { attemptQuery, countQuery, projectName, runParams } from './fields.ts';
import { jobLogStream } from '../../store/repos/logs.ts';
import { SlipwayError } from '../../core/errors.ts';

interface ApiDeps {
  store: Store;
  scheduler: Scheduler;
  events: EventBus;
  access: Access;
  version: string;
}

const createProjectBody = { schema: z.strictObject({ name: z.string() }), expected: '{"name": "<project>"}' };
const logsQuery = z.object({
  attempt: attemptQuery,
  follow: z.string().optional().describe('present: stream as Server-Sent Events until the logs end (so does Accept: text/event-stream)'),
});
const jobLogParams = runParams.extend({ job: z.string().describe('a job id (job_…), as the run view lists') });
const jobLogsQuery = z.object({
  attempt: z.string().optional().describe("the job's attempt (1 is the first; a crash or a lost runner makes the next); default the latest"),
  follow: logsQuery.shape.follow,
});
// `project` is read as "" when absent, which answers PROJECT_UNKNOWN (404) as it always did.
const projectQuery = z.object({ project: projectName.optional() });
const runsQuery = z.object({ project: projectName.optional(), limit: countQuery.optional().describe('at most this many runs (default 50)') });
const deploymentIdParams = z.object({ id: z.string().describe('a deployment id (dep_…)') });

export function registerApi(router: Router, deps: ApiDeps): void {
  const { store, access } = deps;

  const findRun = (ref: string) => findRunIn(store, ref);

  const logSource = {
    read: (stream: string, after: number, limit: number) => store.logs.read(stream, after, limit),
    isFinished: (stream: string) => store.logs.ended(stream),
  };

  async function sendLogs(ctx: RouteContext<unknown, { follow?: string }, unknown>, streams: { stream: string; title: string }[]) {
    const follow = ctx.query.follow !== undefined || ctx.req.headers.accept === 'text/event-stream';
    if (follow) {
      await streamLogs(ctx.req, ctx.res, deps.events, logSource, streams.map((s) => s.stream));
      return;
    }
    ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for (const s of streams) {
      if (streams.length > 1) await writeWithBackpressure(ctx.res, `=== ${s.title} ===\n`);
      // Chunk by chunk, not a page joined: no page-sized string per reader for the collector to find later.
      for await (const page of logPages(logSource.read, s.stream, -1)) for (const c of page) await writeWithBackpressure(ctx.res, c.text);
    }
    ctx.res.end();
  }

  router
    .route({ method: 'GET', path: '/api/version', summary: "The server's version" }, ({ res }) => sendJson(res, 200, { version: deps.version }))
    .route(
      { method: 'GET', path: '/api/projects', summary: 'List the projects the caller may read (anonymous: the public ones)', permission: 'projects.list' },
      async ({ res, user }) => sendJson(res, 200, (await access.projectsFor(user, 'project.read')).map((p) => ({ name: p.name, public: p.public === 1, createdAt: p.created_at }))),
    )
    .route(
      { method: 'POST', path: '/api/projects', summary: 'Create a project, its creator its maintainer (201), or show the existing one (200)', permission: 'projects.create', body: createProjectBody },
      async ({ res, body, user }) => {
        const { project: p, created } = await createProject(store, body.name, signedIn(user));
        if (!created) await access.check(user, 'project.read', p);
        sendJson(res, created ? 201 : 200, { name: p.name, public: p.public === 1, createdAt: p.created_at });
      },
    )
    .route({ method: 'GET', path: '/api/runs', summary: 'List runs, newest first (without ?project, of every project the caller may read)', permission: 'runs.read', query: runsQuery }, async ({ res, query, user }) => {
      const project = query.project ? await store.projects.require(query.project) : undefined;
      const limit = query.limit ?? 50;
      const runs = project ? await store.runs.list({ projectId: project.id, limit }) : await newestVisible(access, user, 'runs.read', limit, (projectId) => store.runs.list({ projectId, limit }));
      sendJson(res, 200, await Promise.all(runs.map((r) => viewOf(store, r))));
    })
    .route(
      { method: 'GET', path: '/api/runs/:run', summary: "A run: one attempt's jobs and their steps", permission: 'runs.read', params: runParams, query: z.object({ attempt: attemptQuery }) },
      async ({ res, params, query }) => {
        const run = await findRun(params.run);
        sendJson(res, 200, await viewOf(store, run, attemptParam(run, query.attempt ?? null)));
      },
    )
    .route({ method: 'POST', path: '/api/runs/:run/cancel', summary: 'Cancel a run', permission: 'runs.control', params: runParams }, async ({ res, params }) => {
      const run = await findRun(params.run);
      await deps.scheduler.cancelRun(run.id);
      sendJson(res, 202, await viewOf(store, await store.runs.require(run.id)));
    })
    .route(
      { method: 'GET', path: '/api/runs/:run/logs', summary: "An attempt's job logs (text/plain, or text/event-stream when following)", permission: 'runs.read', params: runParams, query: logsQuery },
      async (ctx) => {
        const run = await findRun(ctx.params.run);
        const jobs = await store.runs.jobs(run.id, attemptParam(run, ctx.query.attempt ?? null));
        // Each job's latest attempt; earlier ones a crash interrupted are read one job at a time (below).
        await sendLogs(ctx, jobs.map((j) => ({ stream: jobLogStream(logJobId(j), j.attempt), title: j.attempt > 1 ? `${j.name} (attempt ${j.attempt})` : j.name })));
      },
    )
    .route(
      {
        method: 'GET', path: '/api/runs/:run/jobs/:job/logs', summary: "One job's log: its latest attempt, or an earlier one a crash or a lost runner interrupted",
        permission: 'runs.read', params: jobLogParams, query: jobLogsQuery,
      },
      async (ctx) => {
        const run = await findRun(ctx.params.run);
        const job = await store.runs.job(ctx.params.job);
        if (!job || job.run_id !== run.id) throw new SlipwayError('JOB_UNKNOWN', `job "${ctx.params.job}" not found in run ${run.id}`);
        const attempt = jobAttemptParam(job, ctx.query.attempt ?? null);
        await sendLogs(ctx, [{ stream: jobLogStream(logJobId(job), attempt), title: job.name }]);
      },
    )
    .route({ method: 'GET', path: '/api/releases', summary: "A project's releases (image digest and commit)", permission: 'releases.read', query: projectQuery }, async ({ res, query }) => {
      const project = await store.projects.require(query.project ?? '');
      sendJson(res, 200, (await store.releases.list(project.id)).map((r) => ({ id: r.id, sha: r.sha, ref: r.ref, image: r.image, digest: r.digest, createdAt: r.created_at })));
    })
    // GET /api/deployments and /api/deployments/:id are in deploy-api.ts (lock and approvals).
    .route(
      { method: 'GET', path: '/api/deployments/:id/logs', summary: "A deployment's log (text/plain, or text/event-stream when following)", permission: 'deployments.read', params: deploymentIdParams, query: logsQuery.pick({ follow: true }) },
      async (ctx) => {
        const d = await store.deployments.require(ctx.params.id);
        await sendLogs(ctx, [{ stream: `deployment:${d.id}`, title: `deployment ${d.number}` }]);
      },
    )
    .route({ method: 'GET', path: '/api/environments', summary: "What each of a project's environments runs", permission: 'deployments.read', query: projectQuery }, async ({ res, query }) => {
      const project = await store.projects.require(query.project ?? '');
      const states = (await store.deployments.allStates()).filter((s) => s.project_id === project.id);
      sendJson(res, 200, states.map((s) => ({ environment: s.environment, release: s.release_id, container: s.container, url: s.publish ? `http://127.0.0.1:${s.publish}` : null, updatedAt: s.updated_at })));
    });
}
