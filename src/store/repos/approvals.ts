// Decisions on gated deployments and gated jobs (approve or reject), one per user per
// subject, and the deployment gate's two ways out of `waiting_for_approval` (opened →
// queued, rejected); a job's ways out are the scheduler's (src/scheduler/job-gate.ts). Each of these is
// one transaction or one conditional update, so two decisions at once cannot both open a
// deployment, and a decision cannot land on a deployment that already left the gate.
import type { Db } from '../database.ts';
import type { ApprovalsTable } from '../schema.ts';
import type { Deployment } from './deployments.ts';
import { SlipwayError } from '../../core/errors.ts';
import { now } from './time.ts';
import { requireRow } from './require-row.ts';

export type Approval = ApprovalsTable;

interface DecisionInput {
  deploymentId: string;
  user: { id: string; name: string };
  decision: Approval['decision'];
  reason: string | null;
  /** For a rejection: the deployment's error once rejected. */
  rejectionError?: string;
}

export function approvalsRepo(db: Db) {
  return {
    /**
     * Records a decision on a deployment that is waiting for approval; a rejection also ends
     * the deployment (status `rejected`, error, finished_at) in the same transaction.
     * CONFLICT when it is not waiting, or when the user already decided.
     */
    async record(input: DecisionInput): Promise<Approval> {
      return db.transaction().execute(async (tx) => {
        const found = await tx.selectFrom('deployments').select(['status', 'number']).where('id', '=', input.deploymentId).executeTakeFirst();
        const d = requireRow(found, 'DEPLOYMENT_UNKNOWN', 'deployment', input.deploymentId);
        if (d.status !== 'waiting_for_approval') throw new SlipwayError('CONFLICT', `deployment #${d.number} is ${d.status.replaceAll('_', ' ')}, not waiting for approval: nothing to decide`);
        const earlier = await tx.selectFrom('approvals').select('decision').where('deployment_id', '=', input.deploymentId).where('user_id', '=', input.user.id).executeTakeFirst();
        if (earlier) throw new SlipwayError('CONFLICT', `${input.user.name} already ${earlier.decision === 'approve' ? 'approved' : 'rejected'} deployment #${d.number}; each user decides once`);
        const row: Approval = { deployment_id: input.deploymentId, job_id: null, user_id: input.user.id, user_name: input.user.name, decision: input.decision, reason: input.reason, created_at: now() };
        await tx.insertInto('approvals').values(row).execute();
        if (input.decision === 'reject') {
          await tx
            .updateTable('deployments')
            .set({ status: 'rejected', error: input.rejectionError ?? `rejected by ${input.user.name}`, finished_at: row.created_at })
            .where('id', '=', input.deploymentId)
            .execute();
        }
        return row;
      });
    },
    /** Records a decision outside the gate (an admin forcing a deployment past it), whatever the status. */
    async note(row: Omit<Approval, 'created_at' | 'job_id'>): Promise<void> {
      await db.insertInto('approvals').values({ ...row, job_id: null, created_at: now() }).execute();
    },
    /** A deployment's decisions, oldest first. */
    async list(deploymentId: string): Promise<Approval[]> {
      return db.selectFrom('approvals').selectAll().where('deployment_id', '=', deploymentId).orderBy('created_at').orderBy('user_name').execute();
    },
    /**
     * Records a decision on a job waiting at its environment's gate (status `waiting`).
     * CONFLICT when it is not waiting, or when the user already decided on it.
     */
    async recordForJob(input: { jobId: string; jobLabel: string; user: { id: string; name: string }; decision: Approval['decision']; reason: string | null }): Promise<Approval> {
      return db.transaction().execute(async (tx) => {
        const found = await tx.selectFrom('jobs').select('status').where('id', '=', input.jobId).executeTakeFirst();
        const job = requireRow(found, 'JOB_UNKNOWN', 'job', input.jobId);
        if (job.status !== 'waiting') throw new SlipwayError('CONFLICT', `${input.jobLabel} is ${job.status}, not waiting for approval: nothing to decide`);
        const earlier = await tx.selectFrom('approvals').select('decision').where('job_id', '=', input.jobId).where('user_id', '=', input.user.id).executeTakeFirst();
        if (earlier) throw new SlipwayError('CONFLICT', `${input.user.name} already ${earlier.decision === 'approve' ? 'approved' : 'rejected'} ${input.jobLabel}; each user decides once`);
        const row: Approval = { deployment_id: null, job_id: input.jobId, user_id: input.user.id, user_name: input.user.name, decision: input.decision, reason: input.reason, created_at: now() };
        await tx.insertInto('approvals').values(row).execute();
        return row;
      });
    },
    /** A job's decisions, oldest first. */
    async listForJob(jobId: string): Promise<Approval[]> {
      return db.selectFrom('approvals').selectAll().where('job_id', '=', jobId).orderBy('created_at').orderBy('user_name').execute();
    },
    /** Deployments still waiting at a gate (to resume them after a restart), oldest first. */
    async waiting(): Promise<Deployment[]> {
      return db.selectFrom('deployments').selectAll().where('status', '=', 'waiting_for_approval').orderBy('created_at').execute();
    },
    /** Puts a new deployment at its gate. */
    async hold(deploymentId: string): Promise<void> {
      await db.updateTable('deployments').set({ status: 'waiting_for_approval' }).where('id', '=', deploymentId).where('status', '=', 'queued').execute();
    },
    /** Opens the gate: waiting → queued. False when it was no longer waiting (opened or rejected meanwhile). */
    async open(deploymentId: string): Promise<boolean> {
      const r = await db.updateTable('deployments').set({ status: 'queued' }).where('id', '=', deploymentId).where('status', '=', 'waiting_for_approval').executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
