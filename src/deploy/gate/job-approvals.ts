// Approvals of jobs whose `environment:` is gated (GitHub's "required reviewers" for jobs):
// the scheduler's JobGate (src/scheduler/job-gate.ts) and the decisions on a waiting job.
// The rule is the environment's protection (protected-rules.ts: server rules or the default
// branch, never the commit being run), and who may decide is approver-rules.ts, the same
// rules as a deployment's. Every decision is a row in store.approvals and nothing is kept in
// memory, so a restart changes nothing: the job still waits, its approvals still count.
import type { Store } from '../../store/store.ts';
import type { User } from '../../store/repos/users.ts';
import type { Job, Run } from '../../store/repos/runs.ts';
import type { Approval } from '../../store/repos/approvals.ts';
import { SlipwayError } from '../../core/errors.ts';
import { authorize } from '../../auth/permissions.ts';
import type { JobGate, JobGateRule } from '../../scheduler/job-gate.ts';
import { protectedEnvironment, type ProtectedRulesDeps } from '../config/protected-rules.ts';
import { decisionsView, gateRule, type ApprovalsView } from './approval-gate.ts';
import { checkApproverRole, checkNotInvolved, checkPerson, type ApproverChecks, type Decision } from './approver-rules.ts';

/** What a decision moves on in the scheduler (src/scheduler/scheduler.ts). */
export interface GateMoves {
  recheckGate(jobId: string): Promise<boolean>;
  rejectAtGate(jobId: string, message: string): Promise<boolean>;
}

export interface JobApprovalsOptions {
  store: Store;
  rules: ProtectedRulesDeps;
  /** Who may decide (approver-rules.ts); defaults: everyone is a person and an approver, commit authors unknown. */
  approvers?: Partial<ApproverChecks>;
  /** A getter: the scheduler is made with this gate. */
  scheduler: () => GateMoves;
  log: (message: string) => void;
}

interface WaitingJob {
  job: Job;
  run: Run;
  project: string;
  label: string;
  environment: string;
  rule: ReturnType<typeof gateRule> | undefined;
}

export class JobApprovals implements JobGate {
  readonly #o: JobApprovalsOptions;
  readonly #checks: ApproverChecks;

  constructor(options: JobApprovalsOptions) {
    this.#o = options;
    this.#checks = { isPerson: () => true, isApprover: async () => true, ...options.approvers };
  }

  async ruleFor(project: string, environment: string): Promise<JobGateRule | undefined> {
    const rule = await this.#rule(project, environment);
    if (!rule) return undefined;
    return { required: rule.required, waitMs: rule.waitMs, approvers: rule.approvers?.join(', ') ?? `maintainers of ${project}` };
  }

  async approvals(jobId: string): Promise<number> {
    return (await this.#o.store.approvals.listForJob(jobId)).filter((a) => a.decision === 'approve').length;
  }

  /**
   * An approval or a rejection (with a reason) of a waiting job by `user`: the same checks as
   * a deployment's (a person, the approver role, not the pusher, dispatcher, author or
   * committer). Enough approvals queue the job; a rejection fails it ("rejected by X: why").
   */
  async decide(jobId: string, user: User, decision: Approval['decision'], reason?: string): Promise<ApprovalsView> {
    const why = reason?.trim() || null;
    if (decision === 'reject' && !why) throw new SlipwayError('BAD_REQUEST', 'a rejection needs a reason: {"decision": "reject", "comment": "<why>"}');
    const w = await this.#waiting(jobId);
    const { job, label, environment, rule } = w;
    await this.#check(w, user, decision);
    if (rule) await this.#o.store.approvals.recordForJob({ jobId, jobLabel: label, user, decision, reason: why });
    // Without a rule (it was removed while the job waited) the recheck lets the job through.
    if (rule && decision === 'reject') {
      await this.#o.scheduler().rejectAtGate(jobId, `rejected by ${user.name}: ${why}`);
      this.#o.log(`${label} (environment ${environment}) rejected by ${user.name}: ${why}`);
    } else if (await this.#o.scheduler().recheckGate(jobId)) {
      this.#o.log(`${label}: gate of ${environment} open, queued`);
    }
    return this.view(job, rule);
  }

  /**
   * Whether `user` may approve and may reject a waiting job now, asked before trying (the web
   * UI shows Approve / Reject only to those the gate would let decide): null, or the gate's
   * refusal — the same checks as deciding, plus "already decided".
   */
  async rightsOf(jobId: string, user: User): Promise<{ approve: string | null; reject: string | null }> {
    const refusal = async (decision: Approval['decision']): Promise<string | null> => {
      try {
        const w = await this.#waiting(jobId);
        await this.#check(w, user, decision);
        const earlier = (await this.#o.store.approvals.listForJob(jobId)).find((a) => a.user_id === user.id);
        if (earlier) throw new SlipwayError('CONFLICT', `${user.name} already ${earlier.decision === 'approve' ? 'approved' : 'rejected'} ${w.label}; each user decides once`);
        return null;
      } catch (err) {
        if (err instanceof SlipwayError) return err.message;
        throw err;
      }
    };
    return { approve: await refusal('approve'), reject: await refusal('reject') };
  }

  /** A job waiting at its environment's gate, with the gate's rule now. */
  async #waiting(jobId: string): Promise<WaitingJob> {
    const { store } = this.#o;
    const job = await store.runs.job(jobId);
    if (!job) throw new SlipwayError('JOB_UNKNOWN', `job "${jobId}" not found`);
    const run = await store.runs.require(job.run_id);
    const project = (await store.projects.byId(run.project_id))?.name ?? run.project_id;
    const label = `job ${job.key} of ${project}#${run.number}`;
    const environment = job.gate_environment;
    if (job.status !== 'waiting' || environment === null) throw new SlipwayError('CONFLICT', `${label} is ${job.status}, not waiting for approval: nothing to decide`);
    return { job, run, project, label, environment, rule: await this.#rule(project, environment) };
  }

  /** Who may decide: a person, allowed deploy.approve, then (with a rule) not involved and an approver. */
  async #check(w: WaitingJob, user: User, decision: Approval['decision']): Promise<void> {
    const d: Decision = { user, project: w.project, subject: subjectOf(w.job, w.run, w.project, w.environment), approvers: w.rule?.approvers };
    checkPerson(this.#checks, d);
    authorize(user, 'deploy.approve', { project: w.project, environment: w.environment });
    if (!w.rule) return;
    // The two-person rules first: "you pushed this" says more than "you are not an approver".
    if (decision === 'approve') await checkNotInvolved(this.#checks, d);
    await checkApproverRole(this.#checks, d);
  }

  /** A job's decisions and, while its environment is gated, how far it got. */
  async view(job: Job, known?: ReturnType<typeof gateRule>): Promise<ApprovalsView> {
    const rows = await this.#o.store.approvals.listForJob(job.id);
    const rule = known ?? (job.gate_environment === null ? undefined : await this.#ruleOfJob(job));
    const waitUntil = rule && rule.waitMs > 0 && job.waiting_since ? new Date(Date.parse(job.waiting_since) + rule.waitMs).toISOString() : null;
    return { approvals: decisionsView(rows), approval: rule ? { required: rule.required, approved: rows.filter((a) => a.decision === 'approve').length, waitUntil } : null };
  }

  async #ruleOfJob(job: Job) {
    const run = await this.#o.store.runs.require(job.run_id);
    const project = await this.#o.store.projects.byId(run.project_id);
    return project ? this.#rule(project.name, job.gate_environment!) : undefined;
  }

  /** The environment's gate now; undefined when it has none or the environment is not defined (a job may name any). */
  async #rule(project: string, environment: string) {
    const p = await this.#o.store.projects.get(project);
    if (!p) return undefined;
    try {
      return gateRule((await protectedEnvironment(this.#o.rules, p, environment)).env);
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'ENVIRONMENT_UNKNOWN') return undefined;
      throw err;
    }
  }
}

function subjectOf(job: Job, run: Run, project: string, environment: string): Decision['subject'] {
  return { kind: 'job', label: `job ${job.key} of ${project}#${run.number} (environment ${environment})`, environment, sha: run.sha, run };
}
