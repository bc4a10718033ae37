// How a run moves on after something changed (a job finished, a run started or was
// re-run): jobs whose needs failed are skipped right away, deferred matrices become legs,
// calls of reusable workflows finish with their jobs, concurrency groups admit the next
// waiter, and the run finishes when its jobs have. Everything here is idempotent and
// guarded by compare-and-set in the store, so two callers racing do no harm.
import type { Store } from '../store/store.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import type { EventBus } from '../core/events.ts';
import type { RunStatus } from '../core/types.ts';
import { isFinished } from '../core/types.ts';
import type { ExpressionContext } from '../workflow/expressions/index.ts';
import { contextValues, githubContext, type NeedsContext } from './contexts.ts';
import type { StoredPlan } from './stored-plan.ts';
import { legsOf, specOf, storedPlanOf } from './job-spec.ts';
import { deferredLegs } from './deferred-matrix.ts';
import { calledInputs } from './reusable-calls.ts';
import { callerMatrixAt, callerNeedRows, callerSpecAt, foldAt, levelOf, workflowAt } from './calls.ts';
import { evaluateConcurrency, joinGroup } from './concurrency.ts';
import { jobLogStream } from '../store/repos/logs.ts';
import { secondsSince } from './job-times.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A run and the jobs of its current attempt, as one pass read them. */
export interface RunRows {
  run: Run;
  jobs: Job[];
}

/** A run as its advance left it, and the jobs that advance made claimable (every need now finished). */
export interface Advanced extends RunRows {
  readied: string[];
}

export class RunProgress {
  readonly #store: Store;
  readonly #events: EventBus;
  readonly #plans = new Map<string, StoredPlan>();
  readonly #projectNames = new Map<string, string>();

  constructor(store: Store, events: EventBus) {
    this.#store = store;
    this.#events = events;
  }

  /** Results of the jobs `job` needs, by job id, once all have finished; else undefined. */
  needsOf(run: Run, job: Job, siblings: Job[]): NeedsContext | undefined {
    const keys: string[] = JSON.parse(job.needs);
    if (keys.length === 0) return {};
    const deps: Job[] = [];
    for (const key of keys) {
      const dep = siblings.find((s) => s.key === key);
      if (!dep || !isFinished(dep.status)) return undefined;
      deps.push(dep);
    }
    return foldAt(this.plan(run), levelOf(job), deps);
  }

  /** The run's stored plan, parsed once (it never changes) and kept while the run is active. */
  plan(run: Run): StoredPlan {
    let stored = this.#plans.get(run.id);
    if (!stored) {
      if (this.#plans.size > 200) this.#plans.clear();
      this.#plans.set(run.id, (stored = storedPlanOf(run)));
    }
    return stored;
  }

  /** The expression context of a job about to run, as far as the server knows it. */
  async contextOf(run: Run, job: Job, siblings: Job[], needs: NeedsContext): Promise<ExpressionContext> {
    const project = await this.#projectName(run.project_id);
    const github = githubContext(run, project, job);
    return contextValues({
      github,
      needs,
      matrix: job.matrix ? JSON.parse(job.matrix) : {},
      strategy: this.strategyOf(run, job, siblings),
      inputs: this.#inputsAt(run, github, levelOf(job), siblings),
    });
  }

  /** A project's name: kept once read, as a project is never renamed (its id is never reused). */
  async #projectName(id: string): Promise<string> {
    let name = this.#projectNames.get(id);
    if (name === undefined) {
      name = (await this.#store.projects.byId(id))?.name;
      if (name === undefined) return '';
      if (this.#projectNames.size > 1000) this.#projectNames.clear();
      this.#projectNames.set(id, name);
    }
    return name;
  }

  /** `strategy` context (docs "strategy context"). */
  strategyOf(run: Run, job: Job, siblings: Job[]): Record<string, unknown> {
    const { spec } = specOf(this.plan(run), job);
    const legs = legsOf(job, siblings);
    return {
      'fail-fast': spec.strategy?.failFast ?? true,
      'job-index': Math.max(0, legs.findIndex((l) => l.id === job.id)),
      'job-total': legs.length,
      'max-parallel': spec.strategy?.maxParallel ?? legs.length,
    };
  }

  /** `inputs` at a call level: the run's own (workflow_dispatch), else the calling job's `with`. */
  #inputsAt(run: Run, github: Record<string, unknown>, level: string[], siblings: Job[]): Record<string, unknown> {
    if (level.length === 0) return run.inputs ? (JSON.parse(run.inputs) as Record<string, unknown>) : {};
    const stored = this.plan(run);
    const parent = level.slice(0, -1);
    const context = contextValues({
      github,
      needs: foldAt(stored, parent, callerNeedRows(stored, level, siblings)),
      matrix: callerMatrixAt(stored, level),
      inputs: this.#inputsAt(run, github, parent, siblings),
    });
    return calledInputs(callerSpecAt(stored, level), workflowAt(stored, level), context);
  }

  /** Ends a job (compare-and-set from queued/waiting/running) and applies what follows for its peers. */
  async settle(job: Job, status: RunStatus, outputs: Record<string, string> | null, error?: string): Promise<boolean> {
    const changed = await this.#store.runs.transitionJob(job.id, ['queued', 'waiting', 'running'], {
      status,
      finished_at: iso(Date.now()),
      lease_expires_at: null,
      outputs: outputs ? JSON.stringify(outputs) : null,
      error: error ?? null,
    });
    if (!changed) return false;
    await this.settled(job, status);
    return true;
  }

  /** What follows a job's end for its peers (settle, or an interrupted attempt that fails the job). */
  async settled(job: Job, status: RunStatus): Promise<void> {
    if (job.started_at) this.#events.emit('job-ended', job.id, job.run_id, status, secondsSince(job.started_at, Date.now()));
    this.#events.emit('job-updated', job.id, job.run_id);
    this.#events.emit('stream-end', jobLogStream(job.id, job.attempt));
    if (job.concurrency_group && job.concurrency_state === 'admitted') await this.#admitNextJob(job);
    if (status === 'failure' && job.matrix) await this.#failFast(job);
  }

  /** Asks a running job to stop; its runner kills the steps and still runs `always()` steps. */
  async requestCancel(job: Job): Promise<void> {
    await this.#store.runs.setJob(job.id, { cancel_requested: 1 });
    this.#events.emit('job-cancel', job.id);
  }

  async cancelJob(job: Job): Promise<void> {
    if (job.status === 'queued' || job.status === 'waiting') await this.settle(job, 'cancelled', null, 'cancelled');
    else if (job.status === 'running') await this.requestCancel(job);
  }

  /** docs "jobs.<job_id>.strategy.fail-fast": a failed leg cancels its unfinished siblings. */
  async #failFast(job: Job): Promise<void> {
    const run = await this.#store.runs.require(job.run_id);
    const { spec } = specOf(this.plan(run), job);
    if (spec.strategy?.failFast === false) return;
    const siblings = await this.#store.runs.jobs(job.run_id, job.run_attempt);
    for (const leg of legsOf(job, siblings)) if (leg.id !== job.id) await this.cancelJob(leg);
  }

  /**
   * Re-examines a run until nothing more changes, then finishes it if its jobs have. Answers
   * the run and its jobs as the pass that changed nothing read them (undefined when the run
   * waits for its group or has finished). `news: false`: the caller tells runners of the work
   * itself (Scheduler.announce), after its own claim took what it could.
   */
  async advance(runId: string, options: { news?: boolean } = {}): Promise<Advanced | undefined> {
    // The rows of the pass that changed nothing are the run as it stands: updateRun decides on them.
    let settledRows: Advanced | undefined;
    for (let changed = true; changed; ) {
      changed = false;
      const run = await this.#store.runs.require(runId);
      if (run.concurrency_state === 'pending' || isFinished(run.status)) break;
      const jobs = await this.#store.runs.jobs(runId);
      for (const job of jobs) {
        if (job.status !== 'queued') continue;
        if (await this.#step(run, job, jobs)) {
          changed = true;
          break;
        }
      }
      if (!changed) settledRows = { run, ...(await this.#markReady(run, jobs)) };
    }
    await this.updateRun(runId, settledRows);
    if (options.news !== false) this.#events.emit('jobs-available');
    return settledRows;
  }

  /**
   * Queued jobs whose needs have all finished become visible to the claim's query (0029).
   * Every end of a job is followed by its run's advance, so a job waits for this pass at most.
   */
  async #markReady(run: Run, jobs: Job[]): Promise<{ jobs: Job[]; readied: string[] }> {
    const readied = jobs.filter((j) => j.status === 'queued' && j.ready_at === null && this.needsOf(run, j, jobs)).map((j) => j.id);
    if (readied.length === 0) return { jobs, readied };
    const at = iso(Date.now());
    await this.#store.runs.markReady(readied, at);
    return { jobs: jobs.map((j) => (readied.includes(j.id) ? { ...j, ready_at: at } : j)), readied };
  }

  /** One move for one queued job whose needs have finished; true when something changed. */
  async #step(run: Run, job: Job, jobs: Job[]): Promise<boolean> {
    const needs = this.needsOf(run, job, jobs);
    if (!needs) return false;
    const { spec } = specOf(this.plan(run), job);
    const allSucceeded = Object.values(needs).every((n) => n.result === 'success');
    if (!allSucceeded && !spec.if) {
      // GitHub: a job whose needs did not all succeed is skipped unless its `if` says otherwise.
      return this.settle(job, 'skipped', null);
    }
    if (job.deferred_matrix === 1) {
      const legs = deferredLegs(job, spec, await this.contextOf(run, job, jobs, needs));
      if (typeof legs === 'string') {
        await this.#store.logs.append(jobLogStream(job.id, job.attempt), 1, `##[error]${legs}\n`);
        return this.settle(job, 'failure', null, legs);
      }
      return this.#store.runs.expandDeferred(job, legs);
    }
    if (spec.concurrency && job.concurrency_state === null) {
      const c = evaluateConcurrency(spec.concurrency, await this.contextOf(run, job, jobs, needs));
      if (!c) {
        await this.#store.runs.setJob(job.id, { concurrency_state: 'admitted' });
        return true;
      }
      await this.#store.runs.setJob(job.id, { concurrency_group: c.group, concurrency_state: 'pending' });
      const others = (await this.#store.runs.jobsInGroup(run.project_id, c.group)).filter((j) => j.id !== job.id);
      const decision = joinGroup(others.map((o) => ({ id: o.id, state: o.concurrency_state })), c.cancelInProgress);
      for (const o of others) {
        if (decision.cancelPending.includes(o.id)) await this.#finishElsewhere(o, 'cancelled');
        else if (decision.cancelRunning.includes(o.id)) await this.cancelJob(o);
      }
      if (decision.admit) await this.#store.runs.setJob(job.id, { concurrency_state: 'admitted' });
      return true;
    }
    return false;
  }

  /** Ends a job of another run (a superseded group member) and moves that run on. */
  async #finishElsewhere(job: Job, status: RunStatus): Promise<void> {
    if (await this.settle(job, status, null, 'superseded by a newer job of its concurrency group')) await this.advance(job.run_id);
  }

  async #admitNextJob(job: Job): Promise<void> {
    const run = await this.#store.runs.require(job.run_id);
    const next = (await this.#store.runs.jobsInGroup(run.project_id, job.concurrency_group!)).find((j) => j.concurrency_state === 'pending' && j.status === 'queued');
    if (next) {
      await this.#store.runs.setJob(next.id, { concurrency_state: 'admitted' });
      this.#events.emit('jobs-available');
    }
  }

  /** Puts a run into its concurrency group (when it starts or is re-run). */
  async joinRunGroup(run: Run, cancelInProgress: boolean): Promise<void> {
    const others = (await this.#store.runs.inGroup(run.project_id, run.concurrency_group!)).filter((r) => r.id !== run.id);
    const decision = joinGroup(others.map((o) => ({ id: o.id, state: o.concurrency_state })), cancelInProgress);
    for (const id of [...decision.cancelPending, ...decision.cancelRunning]) await this.cancelRun(id);
    if (decision.admit) await this.#store.runs.update(run.id, { concurrency_state: 'admitted' });
  }

  /** Cancels a run: queued jobs end now; running jobs are told to stop. */
  async cancelRun(runId: string): Promise<void> {
    const run = await this.#store.runs.require(runId);
    if (isFinished(run.status)) return;
    await this.#store.runs.update(runId, { cancel_requested: 1 });
    for (const job of await this.#store.runs.jobs(runId)) await this.cancelJob(job);
    await this.updateRun(runId);
  }

  /** Finishes the run once every job of its latest attempt has finished. `rows`: the run and its jobs, just read. */
  async updateRun(runId: string, rows?: RunRows): Promise<void> {
    const run = rows?.run ?? (await this.#store.runs.require(runId));
    const jobs = rows?.jobs ?? (await this.#store.runs.jobs(runId));
    this.#events.emit('run-updated', runId);
    if (isFinished(run.status)) return;
    if (!jobs.every((j) => isFinished(j.status))) {
      // A run shows `waiting` while nothing runs and a job waits at its environment's gate.
      const waiting = jobs.some((j) => j.status === 'waiting') && !jobs.some((j) => j.status === 'running');
      const next = waiting ? 'waiting' : run.status === 'waiting' ? 'running' : undefined;
      if (next && next !== run.status && (await this.#store.runs.setActiveStatus(runId, next))) this.#events.emit('run-updated', runId);
      return;
    }
    const status: RunStatus =
      run.cancel_requested === 1 ? 'cancelled' : jobs.some((j) => j.status === 'failure') ? 'failure' : jobs.some((j) => j.status === 'cancelled') ? 'cancelled' : 'success';
    if (!(await this.#store.runs.finish(runId, status, iso(Date.now())))) return; // another caller finished it
    this.#plans.delete(runId); // a finished run needs its plan only if re-run, and parses it again then
    this.#events.emit('run-updated', runId);
    this.#events.emit('run-finished', runId);
    if (run.concurrency_group && run.concurrency_state === 'admitted') {
      const next = (await this.#store.runs.inGroup(run.project_id, run.concurrency_group)).find((r) => r.concurrency_state === 'pending');
      if (next) {
        await this.#store.runs.update(next.id, { concurrency_state: 'admitted' });
        await this.advance(next.id);
      }
    }
  }

  /** Jobs of the same matrix job running now (for max-parallel). */
  runningLegs(job: Job, siblings: Job[]): number {
    return legsOf(job, siblings).filter((l) => l.status === 'running').length;
  }

}
