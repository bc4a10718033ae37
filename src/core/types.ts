// Domain types shared by every part. No runtime dependencies here.

/**
 * Life cycle of runs, jobs and steps (GitHub's status + conclusion folded into one).
 * `waiting`: a job held at its environment's approval gate (src/scheduler/job-gate.ts), and
 * a run whose unfinished jobs all wait there.
 */
export type RunStatus = 'queued' | 'waiting' | 'running' | 'success' | 'failure' | 'cancelled' | 'skipped';

const finishedStatuses: readonly RunStatus[] = ['success', 'failure', 'cancelled', 'skipped'];

export function isFinished(status: RunStatus): boolean {
  return finishedStatuses.includes(status);
}

/**
 * `waiting_for_approval` until its gate opens; `rejected` when an approver says no;
 * `superseded` when an automatic deployment found a newer commit serving or queued and did
 * not run (src/deploy/commit-order.ts).
 */
export type DeploymentStatus = 'waiting_for_approval' | 'queued' | 'running' | 'success' | 'failure' | 'rejected' | 'superseded';

const finishedDeploymentStatuses: readonly DeploymentStatus[] = ['success', 'failure', 'rejected', 'superseded'];

/** A deployment that will not change any more: it succeeded, failed, was rejected at its gate or superseded. */
export function isDeploymentFinished(status: DeploymentStatus): boolean {
  return finishedDeploymentStatuses.includes(status);
}

/** What a `git push` did to one ref. `before`/`after` are 40-hex SHAs; zeros mean created/deleted. */
export interface PushEvent {
  project: string;
  ref: string;
  before: string;
  after: string;
  pusher: string;
}

export const zeroSha = '0000000000000000000000000000000000000000';

/** A line-oriented output sink: executors and builders write process output here. */
export type OutputSink = (text: string) => void;
