// Run control and API triggers: re-run (a new attempt), the plan graph, workflow_dispatch
// and repository_dispatch. Bodies are parsed at the edge with zod; errors name the field.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { signedIn } from '../http/route.ts';
import { sendJson } from '../http/reply.ts';
import { storedPlanOf } from '../../scheduler/job-spec.ts';
import { dispatchWorkflow, repositoryDispatch } from '../../triggers/dispatch.ts';
import type { StartRunDeps } from '../../scheduler/start-run.ts';
import { findRun, runView } from '../run-view.ts';
import { attemptQuery, projectName, runParams } from './fields.ts';

const rerunBody = { schema: z.strictObject({ jobs: z.string().min(1).default('all') }), expected: '{"jobs": "all" | "failed" | "<job key>"}' };
const dispatchBody = {
  schema: z.strictObject({ ref: z.string().min(1).optional(), inputs: z.record(z.string(), z.unknown()).default({}) }),
  expected: '{"ref": "<branch or tag>", "inputs": {…}}',
};
const repositoryDispatchBody = {
  schema: z.strictObject({
    event_type: z.string().min(1).max(100),
    client_payload: z.record(z.string(), z.unknown()).default({}),
  }),
  expected: '{"event_type": "<type>", "client_payload": {…}}',
};
const dispatchParams = z.object({ project: projectName, file: z.string().describe('workflow file name, e.g. deploy.yml') });

export function registerRunControl(router: Router, deps: StartRunDeps): void {
  const { store } = deps;
  router
    .route(
      { method: 'POST', path: '/api/runs/:run/rerun', summary: "Re-run all, the failed, or one of a run's jobs as a new attempt", permission: 'runs.control', params: runParams, body: rerunBody },
      async ({ res, params, body, user }) => {
        const run = await findRun(store, params.run);
        const { jobs } = body;
        const attempt = await deps.scheduler.rerun(run.id, jobs === 'all' || jobs === 'failed' ? jobs : { job: jobs }, signedIn(user).name);
        sendJson(res, 202, await runView(store, await store.runs.require(run.id), attempt));
      },
    )
    .route(
      { method: 'GET', path: '/api/runs/:run/plan', summary: "An attempt's resolved job graph", permission: 'runs.read', params: runParams, query: z.object({ attempt: attemptQuery }) },
      async ({ res, params, query }) => {
        const run = await findRun(store, params.run);
        // Unlike the run view, the plan of an attempt that does not exist is empty, not an error.
        const attempt = query.attempt !== undefined ? Number(query.attempt) : run.attempt;
        const jobs = await store.runs.jobs(run.id, attempt);
        const stored = run.plan ? storedPlanOf(run) : undefined;
        sendJson(res, 200, {
          run: run.id,
          attempt,
          workflow: run.workflow,
          error: run.error,
          // The resolved graph: one node per job or matrix leg, edges by key.
          jobs: jobs.map((j) => ({
            key: j.key,
            jobId: j.job_id ?? j.key,
            name: j.name,
            needs: JSON.parse(j.needs) as string[],
            runsOn: JSON.parse(j.runs_on) as string[],
            matrix: j.matrix ? (JSON.parse(j.matrix) as Record<string, unknown>) : null,
            deferredMatrix: j.deferred_matrix === 1,
            workflow: j.called_workflow,
            caller: j.caller,
            concurrencyGroup: j.concurrency_group,
            status: j.status,
          })),
          called: Object.keys(stored?.plan.called ?? {}),
        });
      },
    )
    .route(
      { method: 'POST', path: '/api/projects/:project/workflows/:file/dispatches', summary: 'Start a workflow_dispatch run of one workflow file', permission: 'runs.dispatch', params: dispatchParams, body: dispatchBody },
      async ({ res, params, body, user }) => {
        await store.projects.require(params.project);
        const run = await dispatchWorkflow(deps, params.project, params.file, body.ref, body.inputs, signedIn(user).name);
        sendJson(res, 201, await runView(store, run));
      },
    )
    .route(
      { method: 'POST', path: '/api/projects/:project/dispatches', summary: 'Send a repository_dispatch event: runs every workflow that listens for its type', permission: 'runs.dispatch', params: z.object({ project: projectName }), body: repositoryDispatchBody },
      async ({ res, params, body, user }) => {
        await store.projects.require(params.project);
        const runs = await repositoryDispatch(deps, params.project, body.event_type, body.client_payload, signedIn(user).name);
        sendJson(res, 202, await Promise.all(runs.map((r) => runView(store, r))));
      },
    );
}
