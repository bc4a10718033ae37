// Environment protection for jobs, as GitHub's "required reviewers" and "wait timer": a job
// whose `environment:` has an approval rule does not start; it waits in `waiting` until
// enough approvals are in and the wait timer (counted from when it began to wait) ran out,
// then it is queued again and runs with the environment's secrets. The rule, the approvals
// and who may give them are the composition root's business (src/server/ wires
// src/deploy/gate/job-approvals.ts): the scheduler only asks, so the rule never comes from
// the commit being run.
import type { Job } from '../store/repos/runs.ts';

export interface JobGateRule {
  /** Distinct approvals needed (0: the timer alone). */
  required: number;
  /** The wait timer, ms (0: none). */
  waitMs: number;
  /** Who may approve, for the job's notice: "maintainers of P", or the users approval.approvers lists. */
  approvers: string;
}

export interface JobGate {
  /** The approval rule of `environment` in `project`, or undefined when jobs naming it start at once. */
  ruleFor(project: string, environment: string): Promise<JobGateRule | undefined>;
  /** How many distinct users approved the job so far. */
  approvals(jobId: string): Promise<number>;
}

/** Where a job stands at its gate: no gate, let through (approved), or to wait. */
export type GateState = 'open' | 'approved' | 'wait';

/** Whether the approvals and the timer let a job through now. */
export function gateState(rule: JobGateRule | undefined, approvals: number, job: Pick<Job, 'waiting_since'>, now: number): GateState {
  if (!rule) return 'open';
  if (approvals < rule.required) return 'wait';
  if (rule.waitMs > 0 && (job.waiting_since === null || Date.parse(job.waiting_since) + rule.waitMs > now)) return 'wait';
  return 'approved';
}

/** The line a waiting job's log starts with. */
export function waitingNotice(environment: string, approvals: number, rule: JobGateRule): string {
  const wait = rule.waitMs > 0 ? `; wait timer ${Math.ceil(rule.waitMs / 1000)}s` : '';
  const needed = rule.required > 0 ? `${approvals} of ${rule.required} needed; who may approve: ${rule.approvers}` : 'no approvals needed';
  return `##[notice]waiting for approval of environment ${environment} (${needed}${wait})`;
}
