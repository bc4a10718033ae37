// Run control and API triggers: re-run (a new attempt), the plan graph, workflow_dispatch
// and repository_dispatch. Bodies are parsed at the edge with zod; errors name the field.
import { z } from 'zod';
import type { Router } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import { storedPlanOf } from '../../scheduler/job-spec.ts';
import { dispatchWorkflow, repositoryDispatch } from '../../triggers/dispatch.ts';
import type { StartRunDeps } from '../../scheduler/start-run.ts';
import { findRun, runView } from '../run-view.ts';

const rerunBody = z.strictObject({ jobs: z.string().min(1).default('all') });
const dispatchBody = z.strictObject({ ref: z.string().min(1).optional(), inputs: z.record(z.string(), z.unknown()).default({}) });
const repositoryDispatchBody = z.strictObject({
  event_type: z.string().min(1).max(100),
  client_payload: z.record(z.string(), z.unknown()).default({}),
});

export function registerRunControl(router: Router, deps: StartRunDeps): void {
  const { store } = deps;
  router
    .on('POST', '/api/runs/:run/rerun', async ({ req, res, params }) => {
      const run = await findRun(store, params.run!);
      const { jobs } = await readBody(req, rerunBody, '{"jobs": "all" | "failed" | "<job key>"}');
      const attempt = await deps.scheduler.rerun(run.id, jobs === 'all' || jobs === 'failed' ? jobs : { job: jobs });
      sendJson(res, 202, await runView(store, await store.runs.require(run.id), attempt));
    })
    .on('GET', '/api/runs/:run/plan', async ({ res, params, url }) => {
      const run = await findRun(store, params.run!);
      const attempt = url.searchParams.has('attempt') ? Number(url.searchParams.get('attempt')) : run.attempt;
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
    })
    .on('POST', '/api/projects/:project/workflows/:file/dispatches', async ({ req, res, params }) => {
      const body = await readBody(req, dispatchBody, '{"ref": "<branch or tag>", "inputs": {…}}');
      await store.projects.require(params.project!);
      const run = await dispatchWorkflow(deps, params.project!, params.file!, body.ref, body.inputs);
      sendJson(res, 201, await runView(store, run));
    })
    .on('POST', '/api/projects/:project/dispatches', async ({ req, res, params }) => {
      const body = await readBody(req, repositoryDispatchBody, '{"event_type": "<type>", "client_payload": {…}}');
      await store.projects.require(params.project!);
      const runs = await repositoryDispatch(deps, params.project!, body.event_type, body.client_payload);
      sendJson(res, 202, await Promise.all(runs.map((r) => runView(store, r))));
    });
}
