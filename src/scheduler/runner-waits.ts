// Jobs that no online runner can take (issue 12 item 4): a job whose `runs-on` labels no
// runner seen within a lease offers says so on the run ("waiting for a runner with labels
// [ubuntu-22.04]; online runners offer [...]") instead of sitting in `queued` silently, and
// fails after `runner.queueTimeout` (GitHub: 24 h) with that message. Only jobs a runner
// could otherwise take now are counted: a job waiting for its needs or its concurrency
// group is not waiting for a runner.
import type { Store } from '../store/store.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import type { RunnerRow } from '../store/repos/runners.ts';
import type { EventBus } from '../core/events.ts';
import { formatDuration } from '../core/duration.ts';

/** True if one runner offers every label (the same rule as Scheduler.claim). */
export function offersAll(offered: readonly string[], runsOn: readonly string[]): boolean {
  return runsOn.every((label) => offered.includes(label));
}

const list = (labels: readonly string[]) => `[${labels.join(', ')}]`;

/** What a job shows while no online runner taking jobs offers all its labels (one an admin paused or drains takes none). */
export function waitingMessage(runsOn: readonly string[], online: readonly RunnerRow[]): string {
  const taking = online.filter((r) => r.state === 'active');
  const offered = [...new Set(taking.flatMap((r) => r.labels))];
  const steered = online.filter((r) => r.state !== 'active' && offersAll(r.labels, runsOn)).map((r) => `runner ${r.name} offering them is ${r.state}`);
  const who = online.length === 0 ? 'no runner is online' : taking.length === 0 ? 'no online runner takes jobs' : `online runners offer ${list(offered)}`;
  return `waiting for a runner with labels ${list(runsOn)}; ${who}${steered.length ? `; ${steered.join(', ')} (slipway runners resume)` : ''}`;
}

/** The job's error once runner.queueTimeout has passed. */
export function queueTimeoutMessage(waiting: string, timeoutMs: number): string {
  return `${waiting}; gave up after ${formatDuration(timeoutMs)} (runner.queueTimeout)`;
}

/**
 * What fails a job's wait: the queue timeout on a server, where runners come and go; in
 * `slipway run`, whose one runner's labels never change, a fixed reason at once.
 */
export type GiveUp = { afterMs: number } | { now: string };

/** What the sweep does with one job that a runner could take now, given who is online. */
export function runnerWaitStep(
  job: Pick<Job, 'runs_on' | 'runner_wait' | 'runner_wait_since'>,
  online: readonly RunnerRow[],
  nowMs: number,
  giveUp: GiveUp,
): { action: 'none' } | { action: 'clear' } | { action: 'wait'; since: string; message: string } | { action: 'fail'; message: string } {
  const runsOn: string[] = JSON.parse(job.runs_on);
  if (online.some((r) => r.state === 'active' && offersAll(r.labels, runsOn))) return job.runner_wait_since === null ? { action: 'none' } : { action: 'clear' };
  const message = waitingMessage(runsOn, online);
  if ('now' in giveUp) return { action: 'fail', message: `${message}; ${giveUp.now}` };
  const since = job.runner_wait_since ?? new Date(nowMs).toISOString();
  if (nowMs - Date.parse(since) >= giveUp.afterMs) return { action: 'fail', message: queueTimeoutMessage(message, giveUp.afterMs) };
  return { action: 'wait', since, message };
}

export interface RunnerWaitSweep {
  store: Store;
  events: EventBus;
  /** A runner is online while seen (claim or heartbeat) within this long. */
  onlineMs: number;
  giveUp: GiveUp;
  now: number;
  /** True if a runner with the right labels could take the job now (needs done, group admitted). */
  takeable: (run: Run, job: Job, siblings: Job[]) => boolean;
  fail: (job: Job, message: string) => Promise<void>;
}

/** One pass over the queue; returns how many jobs failed for want of a runner. */
export async function sweepRunnerWaits(s: RunnerWaitSweep): Promise<number> {
  const online = await s.store.runners.seenSince(new Date(s.now - s.onlineMs).toISOString());
  const runs = new Map<string, { run: Run; siblings: Job[] }>();
  let failed = 0;
  for (const job of await s.store.runs.queuedJobs()) {
    let entry = runs.get(job.run_id);
    if (!entry) {
      const run = await s.store.runs.require(job.run_id);
      runs.set(job.run_id, (entry = { run, siblings: await s.store.runs.jobs(run.id) }));
    }
    const step = s.takeable(entry.run, job, entry.siblings) ? runnerWaitStep(job, online, s.now, s.giveUp) : job.runner_wait_since === null ? { action: 'none' as const } : { action: 'clear' as const };
    if (step.action === 'none') continue;
    if (step.action === 'fail') {
      await s.fail(job, step.message);
      runs.delete(job.run_id);
      failed++;
      continue;
    }
    const fields = step.action === 'clear' ? { runner_wait_since: null, runner_wait: null } : { runner_wait_since: step.since, runner_wait: step.message };
    if (fields.runner_wait === job.runner_wait && fields.runner_wait_since === job.runner_wait_since) continue;
    if (await s.store.runs.transitionJob(job.id, ['queued'], fields)) {
      s.events.emit('job-updated', job.id, job.run_id);
      s.events.emit('run-updated', job.run_id);
    }
  }
  return failed;
}
