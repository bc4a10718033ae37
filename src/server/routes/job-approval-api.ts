// Approving or rejecting a job that waits at its environment's gate:
// POST /api/runs/:run/jobs/:job/approvals. Who may decide and what follows is
// src/deploy/gate/job-approvals.ts (the same rules as a deployment's gate). And
// GET …/approval-rights: whether the caller may decide now (the web UI's buttons).
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import { signedIn } from '../http/route.ts';
import type { Store } from '../../store/store.ts';
import type { JobApprovals } from '../../deploy/gate/job-approvals.ts';
import { SlipwayError } from '../../core/errors.ts';
import { findRun } from '../run-view.ts';
import { runParams } from './fields.ts';

interface JobApprovalApiDeps {
  store: Store;
  jobApprovals: JobApprovals;
}

const decisionBody = {
  schema: z.strictObject({ decision: z.enum(['approve', 'reject']), comment: z.string().max(2000).optional() }),
  expected: '{"decision": "approve", "comment": "<optional>"} or {"decision": "reject", "comment": "<why>"}',
};
const jobParams = runParams.extend({ job: z.string().describe("a job key in the run's latest attempt (e.g. deploy, or build (linux) for a matrix leg), or a job id (job_…)") });

export function registerJobApprovalApi(router: Router, deps: JobApprovalApiDeps): void {
  const { store } = deps;
  router.route(
    {
      method: 'POST', path: '/api/runs/:run/jobs/:job/approvals',
      summary: "Approve or reject a job waiting at its environment's gate (deployments.approve, then the environment's approver rule)",
      permission: 'deployments.approve', audit: 'approval.decide', params: jobParams, body: decisionBody,
    },
    async ({ res, params, body, user }) => {
      const { run, job } = await findJob(store, params);
      const view = await deps.jobApprovals.decide(job.id, signedIn(user), body.decision, body.comment);
      const now = (await store.runs.job(job.id))!;
      sendJson(res, 200, { run: run.id, job: now.key, status: now.status, environment: now.gate_environment, error: now.error, ...view });
    },
  );
  router.route(
    {
      method: 'GET', path: '/api/runs/:run/jobs/:job/approval-rights',
      summary: "Whether the caller may approve and may reject this waiting job now (null, or the gate's refusal), with its decisions so far",
      permission: 'deployments.read', params: jobParams,
    },
    async ({ res, params, user }) => {
      const { run, job } = await findJob(store, params);
      const rights = await deps.jobApprovals.rightsOf(job.id, signedIn(user));
      const project = (await store.projects.byId(run.project_id))!.name;
      const rule = job.gate_environment === null ? undefined : await deps.jobApprovals.ruleFor(project, job.gate_environment);
      sendJson(res, 200, { run: run.id, job: job.key, environment: job.gate_environment, whoMay: rule?.approvers ?? null, ...rights, ...(await deps.jobApprovals.view(job)) });
    },
  );
}

async function findJob(store: Store, params: { run: string; job: string }) {
  const run = await findRun(store, params.run);
  const job = (await store.runs.jobs(run.id)).find((j) => j.key === params.job || j.id === params.job);
  if (!job) throw new SlipwayError('JOB_UNKNOWN', `job "${params.job}" not found in run #${run.number} (attempt ${run.attempt})`);
  return { run, job };
}
