// Run control and API triggers: re-run (a new attempt), the plan graph, workflow_dispatch
// and repository_dispatch. Bodies are parsed at the edge with zod; errors name the field.
import { z } from 'zod';
import type { Router } from '../http.ts';
import { readJson, sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import type { Run } from '../../store/repos/runs.ts';
import type { Scheduler } from '../../scheduler/scheduler.ts';
import { storedPlanOf } from '../../scheduler/job-spec.ts';
import { SlipwayError } from '../../core/errors.ts';
import { dispatchWorkflow, repositoryDispatch } from '../api-triggers.ts';
import type { StartRunDeps } from '../start-run.ts';

export interface RunControlDeps extends StartRunDeps {
  store: Store;
  scheduler: Scheduler;
  /** `<project>#<n>`, `<project>/<n>` or a run id → the run (shared with the run routes). */
  findRun: (ref: string) => Promise<Run>;
  runView: (run: Run, attempt?: number) => Promise<unknown>;
}

const rerunBody = z.strictObject({ jobs: z.string().min(1).default('all') });
const dispatchBody = z.strictObject({ ref: z.string().min(1).optional(), inputs: z.record(z.string(), z.unknown()).default({}) });
const repositoryDispatchBody = z.strictObject({
  event_type: z.string().min(1).max(100),
  client_payload: z.record(z.string(), z.unknown()).default({}),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, expected: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new SlipwayError('BAD_REQUEST', `expected ${expected}: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function registerRunControl(router: Router, deps: RunControlDeps): void {
  const { store } = deps;
  router
    .on('POST', '/api/runs/:run/rerun', async ({ req, res, params }) => {
      const run = await deps.findRun(params.run!);
      const { jobs } = parse(rerunBody, await readJson(req), '{"jobs": "all" | "failed" | "<job key>"}');
      const attempt = await deps.scheduler.rerun(run.id, jobs === 'all' || jobs === 'failed' ? jobs : { job: jobs });
      sendJson(res, 202, await deps.runView(await store.runs.require(run.id), attempt));
    })
    .on('GET', '/api/runs/:run/plan', async ({ res, params, url }) => {
      const run = await deps.findRun(params.run!);
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
      const body = parse(dispatchBody, await readJson(req), '{"ref": "<branch or tag>", "inputs": {…}}');
      await store.projects.require(params.project!);
      const run = await dispatchWorkflow(deps, params.project!, params.file!, body.ref, body.inputs);
      sendJson(res, 201, await deps.runView(run));
    })
    .on('POST', '/api/projects/:project/dispatches', async ({ req, res, params }) => {
      const body = parse(repositoryDispatchBody, await readJson(req), '{"event_type": "<type>", "client_payload": {…}}');
      await store.projects.require(params.project!);
      const runs = await repositoryDispatch(deps, params.project!, body.event_type, body.client_payload);
      sendJson(res, 202, await Promise.all(runs.map((r) => deps.runView(r))));
    });
}
