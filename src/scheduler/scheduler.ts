// Run and job state machines over the store. Jobs wait in `queued` until every job they
// need has finished; a runner claims one with a compare-and-set and holds it with a lease
// it renews by heartbeat. A lease that runs out (dead runner, crashed server) puts the job
// back in the queue, so no job is lost and no job has two holders.
import type { Store } from '../store/store.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import type { EventBus } from '../server/events.ts';
import type { RunStatus } from '../core/types.ts';
import { isFinished } from '../core/types.ts';
import type { JobSpec, Plan, Workflow } from '../workflow/model.ts';
import { SlipwayError } from '../core/errors.ts';

/** What a run stores of its workflow: enough for any runner to execute any of its jobs. */
export interface StoredPlan {
  workflow: Workflow;
  plan: Plan;
}

export interface ClaimedJob {
  run: Run;
  job: Job;
  spec: JobSpec;
  workflow: Workflow;
  /** Results of the jobs this one needs, for the `needs` context and the job's `if`. */
  needs: Record<string, { result: RunStatus; outputs: Record<string, string> }>;
  /** This leg's matrix values (empty for a job without a matrix). */
  matrix?: Record<string, unknown>;
  /** `strategy` context: fail-fast, job-index, job-total, max-parallel. */
  strategy?: Record<string, unknown>;
  /** `inputs` context (workflow_dispatch / workflow_call), typed. */
  inputs?: Record<string, unknown>;
  /** `secrets` context: names → values, masked in logs by the runner. */
  secrets?: Record<string, string>;
  /** `vars` context. */
  vars?: Record<string, string>;
  /** `github.event` payload of the run's trigger. */
  event?: Record<string, unknown>;
}

export interface SchedulerOptions {
  store: Store;
  events: EventBus;
  leaseMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Scheduler {
  readonly #store: Store;
  readonly #events: EventBus;
  readonly #leaseMs: number;

  constructor(options: SchedulerOptions) {
    this.#store = options.store;
    this.#events = options.events;
    this.#leaseMs = options.leaseMs;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** Claims the oldest job whose needs have all finished and whose labels this runner has. */
  async claim(runner: string, labels: readonly string[]): Promise<ClaimedJob | undefined> {
    for (const job of await this.#store.runs.queuedJobs()) {
      // Needs before labels: a job to be skipped is skipped by any runner, else a run whose
      // skipped job no connected runner could run would never finish.
      const needs = await this.#needsOf(job);
      if (!needs) continue;
      const run = await this.#store.runs.require(job.run_id);
      const { workflow } = JSON.parse(run.plan!) as StoredPlan;
      const spec = workflow.jobs.find((j) => j.id === job.key.split(' ')[0]);
      if (!spec) throw new SlipwayError('INTERNAL', `job ${job.key} missing from the stored plan of run ${run.id}`);
      const allSucceeded = Object.values(needs).every((n) => n.result === 'success');
      if (!allSucceeded && !spec.if) {
        // GitHub: a job whose needs did not all succeed is skipped unless its `if` says otherwise.
        await this.#finishJob(job, 'skipped', null);
        continue;
      }
      const runsOn: string[] = JSON.parse(job.runs_on);
      if (!runsOn.every((l) => labels.includes(l))) continue;
      const t = Date.now();
      const won = await this.#store.runs.transitionJob(job.id, ['queued'], {
        status: 'running',
        runner,
        started_at: iso(t),
        lease_expires_at: iso(t + this.#leaseMs),
      });
      if (!won) continue;
      if (run.status === 'queued') {
        await this.#store.runs.update(run.id, { status: 'running', started_at: iso(t) });
        this.#events.emit('run-updated', run.id);
      }
      return { run, job: (await this.#store.runs.job(job.id))!, spec, workflow, needs };
    }
    return undefined;
  }

  /** Needs results when every needed job has finished, else undefined (not claimable yet). */
  async #needsOf(job: Job): Promise<ClaimedJob['needs'] | undefined> {
    const keys: string[] = JSON.parse(job.needs);
    if (keys.length === 0) return {};
    const siblings = await this.#store.runs.jobs(job.run_id);
    const needs: ClaimedJob['needs'] = {};
    for (const key of keys) {
      const dep = siblings.find((s) => s.key === key);
      if (!dep || !isFinished(dep.status)) return undefined;
      needs[key] = { result: dep.status, outputs: dep.outputs ? JSON.parse(dep.outputs) : {} };
    }
    return needs;
  }

  async heartbeat(jobId: string, runner: string): Promise<boolean> {
    return this.#store.runs.renewLease(jobId, runner, iso(Date.now() + this.#leaseMs));
  }

  async completeJob(jobId: string, runner: string, status: RunStatus, outputs: Record<string, string>, error?: string): Promise<void> {
    const job = await this.#store.runs.job(jobId);
    if (!job || job.runner !== runner || job.status !== 'running') return; // lost the lease: someone else owns it now
    await this.#finishJob(job, status, outputs, error);
  }

  async #finishJob(job: Job, status: RunStatus, outputs: Record<string, string> | null, error?: string): Promise<void> {
    const changed = await this.#store.runs.transitionJob(job.id, ['queued', 'running'], {
      status,
      finished_at: iso(Date.now()),
      lease_expires_at: null,
      outputs: outputs ? JSON.stringify(outputs) : null,
      error: error ?? null,
    });
    if (!changed) return;
    this.#events.emit('stream-end', `job:${job.id}`);
    await this.#updateRun(job.run_id);
    this.#events.emit('jobs-available');
  }

  async #updateRun(runId: string): Promise<void> {
    const run = await this.#store.runs.require(runId);
    const jobs = await this.#store.runs.jobs(runId);
    this.#events.emit('run-updated', runId);
    if (!jobs.every((j) => isFinished(j.status)) || isFinished(run.status)) return;
    const status: RunStatus = jobs.some((j) => j.status === 'failure')
      ? 'failure'
      : jobs.some((j) => j.status === 'cancelled')
        ? 'cancelled'
        : 'success';
    await this.#store.runs.update(runId, { status, finished_at: iso(Date.now()) });
    this.#events.emit('run-updated', runId);
    this.#events.emit('run-finished', runId);
  }

  /** Cancels a run: queued jobs end now; running jobs are told to stop (their `always()` steps still run). */
  async cancelRun(runId: string): Promise<void> {
    const run = await this.#store.runs.require(runId);
    if (isFinished(run.status)) return;
    for (const job of await this.#store.runs.jobs(runId)) {
      if (job.status === 'queued') await this.#finishJob(job, 'cancelled', null, 'cancelled');
      else if (job.status === 'running') this.#events.emit('job-cancel', job.id);
    }
  }

  /** Jobs whose lease ran out go back to the queue (their runner is gone). */
  async requeueExpired(now = Date.now()): Promise<number> {
    let n = 0;
    for (const job of await this.#store.runs.runningJobs()) {
      if (job.lease_expires_at && Date.parse(job.lease_expires_at) > now) continue;
      const requeued = await this.#store.runs.transitionJob(job.id, ['running'], {
        status: 'queued',
        runner: null,
        lease_expires_at: null,
        started_at: null,
        attempt: job.attempt + 1,
      });
      if (requeued) {
        await this.#store.runs.deleteSteps(job.id);
        n++;
      }
    }
    if (n > 0) this.#events.emit('jobs-available');
    return n;
  }

  /** After a restart: jobs held by this server's own built-in runner cannot still be running. */
  async recover(builtInRunnerPrefix: string): Promise<number> {
    let n = 0;
    for (const job of await this.#store.runs.runningJobs()) {
      if (job.runner?.startsWith(builtInRunnerPrefix)) {
        await this.#store.runs.transitionJob(job.id, ['running'], { lease_expires_at: iso(0) });
        n++;
      }
    }
    await this.requeueExpired();
    return n;
  }
}
