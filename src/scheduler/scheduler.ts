// Run and job state machines over the store. Jobs wait in `queued` until every job they
// need has finished; a runner claims one with a compare-and-set and holds it with a lease
// it renews by heartbeat. A lease that runs out (dead runner, crashed server) puts the job
// back in the queue as the job's next attempt (interrupted-attempt.ts), so no job is lost
// and no job has two holders.
import type { Store } from '../store/store.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import type { EventBus } from '../core/events.ts';
import type { RunStatus } from '../core/types.ts';
import { isFinished } from '../core/types.ts';
import type { JobSpec, Workflow } from '../workflow/model.ts';
import { SlipwayError } from '../core/errors.ts';
import { RunProgress, type Advanced, type RunRows } from './progress.ts';
import { specOf, storedPlanOf } from './job-spec.ts';
import { rerunJobs, type RerunWhich } from './rerun-plan.ts';
import { projectOfRepository, type GithubContext, type NeedsContext, type TriggerFacts } from './contexts.ts';
import { environmentOf, jobSecrets, secretsAtLevel, type SecretsFor } from './job-secrets.ts';
import { gateState, waitingNotice, type GateState, type JobGate } from './job-gate.ts';
import { levelOf } from './calls.ts';
import { jobLogStream } from '../store/repos/logs.ts';
import { sweepRunnerWaits, type GiveUp } from './runner-waits.ts';
import { closeAttemptLog, interruptionOutcome, interruptionReasons, type Interruption } from './interrupted-attempt.ts';
import { queueSeconds } from './job-times.ts';

/**
 * What the scheduler hands the runner protocol for a won claim: the store rows and the
 * contexts evaluated where the run is known. `runner/protocol/` maps it into the wire type
 * a runner sees.
 */
export interface JobClaim {
  run: Run;
  job: Job;
  /** The project's name (`github.repository` is `slipway/<name>`). */
  project: string;
  spec: JobSpec;
  workflow: Workflow;
  /** `github` for this job, without what only the runner knows (workspace, server URL). */
  github: GithubContext & { job: string };
  /** Results of the jobs this one needs, for the `needs` context and the job's `if`. */
  needs: NeedsContext;
  /** This leg's matrix values (empty for a job without a matrix). */
  matrix: Record<string, unknown>;
  /** `strategy` context: fail-fast, job-index, job-total, max-parallel. */
  strategy: Record<string, unknown>;
  /** `inputs` context (workflow_dispatch / workflow_call), typed. */
  inputs: Record<string, unknown>;
  /** `secrets` context: names → values, masked in logs by the runner. */
  secrets: Record<string, string>;
  /** Lines for the top of the job's log: what the secret store withheld, and why. */
  notes: string[];
  /** `vars` context. */
  vars: Record<string, string>;
}

interface SchedulerOptions {
  store: Store;
  events: EventBus;
  leaseMs: number;
  /**
   * The `secrets` context of a job: the project's secrets, and its environment's once the
   * environment's gate allows (the server wires src/deploy/deployment-secrets.ts jobSecretsFor; `slipway run --secret-file`).
   */
  secretsFor?: SecretsFor;
  /** Approval gates of environments for jobs that name one (job-gate.ts); without it, jobs never wait. */
  gate?: JobGate;
  /** The `vars` context of a project's jobs (`slipway run --var`); none without it. */
  varsFor?: (project: string) => Promise<Record<string, string>>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Candidate jobs a claim reads at a time: enough that concurrent claims rarely pass a whole page over. */
const claimPage = 20;

/**
 * How long a job a report made runnable is left first to that report's claim by the claims
 * that follow other reports, on any server (readied a moment ago: its reporter is about to
 * look). Longer-waiting jobs keep their turn, oldest first.
 */
const reporterFirstMs = 250;

/**
 * The order a report's claim tries a page in: jobs that have waited longer first (oldest
 * first), then the ones this report's end readied (`own`), then ones another report readied
 * just now — taking one of those sent its reporter away empty-handed, to wait for news.
 */
function reporterOrder(page: Job[], own: readonly string[], now: number): Job[] {
  if (own.length === 0) return page;
  const mine = (j: Job) => own.includes(j.id);
  const othersJustNow = (j: Job) => !mine(j) && j.ready_at !== null && now - Date.parse(j.ready_at) < reporterFirstMs;
  return [...page.filter((j) => !mine(j) && !othersJustNow(j)), ...page.filter(mine), ...page.filter(othersJustNow)];
}

export class Scheduler {
  readonly #store: Store;
  readonly #events: EventBus;
  readonly #leaseMs: number;
  readonly #progress: RunProgress;
  /** Jobs a claim of this process is taking now (between its checks and its compare-and-set). */
  readonly #claiming = new Set<string>();
  /**
   * Job attempts this process's claims won in the last few seconds: a claim whose page was read
   * before the win would otherwise try each of them and lose (a wasted statement per job
   * when runners finish together and all look at the oldest runnable job).
   */
  readonly #won = new Map<string, number>();
  /**
   * Jobs a report's end just made runnable while that reporter claims next (completeJob(…,
   * claimsNext) until announce): another claim seeing one on its page leaves the news of it
   * to the reporter's announce, which knows whether its own claim took it.
   */
  readonly #reporterNews = new Set<string>();
  /** When each runner's claim was last recorded in `runners`, with the labels it offered. */
  readonly #seen = new Map<string, { labels: string; at: number }>();

  readonly #secretsFor: SchedulerOptions['secretsFor'];
  readonly #gate: JobGate | undefined;
  readonly #varsFor: SchedulerOptions['varsFor'];

  constructor(options: SchedulerOptions) {
    this.#gate = options.gate;
    this.#varsFor = options.varsFor;
    this.#secretsFor = options.secretsFor;
    this.#store = options.store;
    this.#events = options.events;
    this.#leaseMs = options.leaseMs;
    this.#progress = new RunProgress(options.store, options.events);
  }

  /** Another claim of this process is winning the job right now, or won this attempt of it moments ago. */
  #taken(job: Job): boolean {
    return this.#claiming.has(job.id) || this.#won.has(`${job.id}:${job.attempt}`);
  }

  /** Keyed by attempt: a job re-queued (its runner lost) is a new attempt, claimable at once. */
  #wonRecently(job: Job): void {
    const now = Date.now();
    this.#won.set(`${job.id}:${job.attempt}`, now);
    // Oldest first (insertion order): drop what is older than any page a claim still holds.
    for (const [id, at] of this.#won) {
      if (now - at < 10_000) break;
      this.#won.delete(id);
    }
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /**
   * A run was just created: it joins its concurrency group (`cancelInProgress` evaluated by
   * the caller), and jobs that can move without a runner do (deferred matrices without
   * needs, skips).
   */
  async runCreated(runId: string, options: { cancelInProgress?: boolean } = {}): Promise<void> {
    const run = await this.#store.runs.require(runId);
    if (isFinished(run.status)) return;
    if (run.concurrency_group) await this.#progress.joinRunGroup(run, options.cancelInProgress ?? false);
    await this.#progress.advance(runId);
  }

  /**
   * Claims the oldest job whose needs have all finished and whose labels this runner has.
   * `fresh`: a run and its jobs just read (a job's end, in the same request: the claim that
   * follows a runner's report), used instead of reading them again. Safe a few moments old:
   * a need seen unfinished only passes the job over, a finished one stays finished, the win
   * is still a compare-and-set, and max-parallel reads the legs again.
   */
  async claim(runner: string, labels: readonly string[], fresh?: RunRows | Advanced): Promise<JobClaim | undefined> {
    // Every transport's claim comes here: the runner is online, offering these labels (GET /api/runners).
    // Written at most once a second a runner (at once when its labels change): online means
    // seen within a lease, and a busy runner claims after every job.
    const offered = JSON.stringify(labels);
    const last = this.#seen.get(runner);
    if (!last || last.labels !== offered || Date.now() - last.at >= 1000) {
      await this.#store.runners.seen(runner, labels);
      this.#seen.set(runner, { labels: offered, at: Date.now() });
    }
    // Read each run (and its jobs) once per claim, not once per queued job: the queue can
    // hold many jobs of one run, and claims happen on every `jobs-available` and long-poll.
    const runOf = new Map<string, Run>();
    const siblingsOf = new Map<string, Job[]>();
    if (fresh) {
      runOf.set(fresh.run.id, fresh.run);
      siblingsOf.set(fresh.run.id, fresh.jobs);
    }
    // Only the jobs the rows say this runner could take, a page at a time (store/repos/job-queue.ts):
    // a claim costs one bounded query however many jobs wait for their needs or other labels.
    for (let offset = 0; ; offset += claimPage) {
      const page = await this.#store.runs.claimableJobs(labels, { limit: claimPage, offset });
      const claim = await this.#claimFrom(page, runner, labels, runOf, siblingsOf, fresh);
      if (claim || page.length < claimPage) return claim;
    }
  }

  /** The first job of `page` (in a report's order) this claim wins, after the checks the rows cannot make (needs, `if`, gates, max-parallel). */
  async #claimFrom(page: Job[], runner: string, labels: readonly string[], runOf: Map<string, Run>, siblingsOf: Map<string, Job[]>, fresh?: RunRows | Advanced): Promise<JobClaim | undefined> {
    const freshRun = fresh?.run.id;
    const own = fresh && 'readied' in fresh ? fresh.readied : [];
    const ordered = reporterOrder(page, own, Date.now());
    for (const [at, job] of ordered.entries()) {
      // Another claim of this process is winning it right now: take the next one instead of colliding.
      if (this.#taken(job)) continue;
      // Readied a moment ago by a report whose claim is under way: left to that claim, which
      // is about to look (announce passes it on if that claim does not take it).
      if (this.#reporterNews.has(job.id) && !own.includes(job.id)) continue;
      let run = runOf.get(job.run_id);
      if (!run) runOf.set(job.run_id, (run = await this.#store.runs.require(job.run_id)));
      if (run.concurrency_state === 'pending' || job.run_attempt !== run.attempt) continue;
      let siblings = siblingsOf.get(run.id);
      if (!siblings) siblingsOf.set(run.id, (siblings = await this.#store.runs.jobs(run.id)));
      const needs = this.#progress.needsOf(run, job, siblings);
      if (!needs) continue;
      const { spec, workflow } = specOf(this.#progress.plan(run), job);
      const allSucceeded = Object.values(needs).every((n) => n.result === 'success');
      if (job.deferred_matrix === 1 || (!allSucceeded && !spec.if) || (spec.concurrency && job.concurrency_state === null)) {
        // Work for the server, not a runner; normally done when the needs finished. Needs
        // before labels: a job to be skipped is skipped even if no runner could run it.
        await this.#progress.advance(run.id);
        runOf.delete(run.id);
        siblingsOf.delete(run.id);
        continue;
      }
      if (spec.concurrency && job.concurrency_state !== 'admitted') continue;
      // The gate before the labels: a job waits for approval whether or not a runner could take it yet.
      const gate = spec.environment && this.#gate ? await this.#atGate(run, job, siblings, needs, spec) : 'open';
      if (gate === 'wait' || gate === 'failed') {
        runOf.delete(run.id);
        siblingsOf.delete(run.id);
        continue;
      }
      const runsOn: string[] = JSON.parse(job.runs_on);
      if (!runsOn.every((l) => labels.includes(l))) continue;
      const maxParallel = spec.strategy?.maxParallel;
      if (job.matrix && maxParallel !== undefined && this.#progress.runningLegs(job, freshRun === run.id ? await this.#store.runs.jobs(run.id) : siblings) >= maxParallel) continue;
      const t = Date.now();
      // Checked again with nothing awaited before the add: two claims of this process never race for one job.
      if (this.#taken(job)) continue;
      this.#claiming.add(job.id);
      const claim = {
        status: 'running',
        runner,
        started_at: iso(t),
        lease_expires_at: iso(t + this.#leaseMs),
        // A wait for a runner ends here; a later re-queue (lost runner) starts its own clock.
        runner_wait_since: null,
        runner_wait: null,
      } satisfies Partial<Job>;
      const won = await this.#store.runs.claimQueuedJob(job.id, claim).finally(() => this.#claiming.delete(job.id));
      if (!won) continue;
      this.#wonRecently(job);
      // More of the page is left for other runners: the news goes on to the next waiter
      // (runner-wakes.ts). A page with nothing else wakes no one to find nothing.
      if (ordered.slice(at + 1).some((j) => !this.#taken(j) && !this.#reporterNews.has(j.id))) this.#events.emit('jobs-available');
      this.#events.emit('job-started', job.id, run.id, queueSeconds(job, siblings, t));
      this.#events.emit('job-updated', job.id, run.id);
      if (run.status === 'queued' || run.status === 'waiting') {
        await this.#store.runs.update(run.id, { status: 'running', started_at: run.started_at ?? iso(t) });
        this.#events.emit('run-updated', run.id);
      }
      // The row as the compare-and-set left it: only a queued job's own claim writes to it.
      const claimed: Job = { ...job, ...claim };
      const context = await this.#progress.contextOf(run, claimed, siblings, needs);
      const values = context.values as Record<string, Record<string, unknown>>;
      // contextOf built it with githubContext(run, project, job).
      const github = values.github as GithubContext & { job: string };
      const project = projectOfRepository(github.repository);
      let secrets: Record<string, string>, notes: string[];
      try {
        const got = await jobSecrets(this.#secretsFor, run, project, spec, context, gate === 'approved');
        secrets = { ...secretsAtLevel(this.#progress.plan(run), levelOf(claimed), got.secrets, github), ...got.environment };
        notes = got.notes;
      } catch (err) {
        // A job must not run without the secrets it was promised (nor hold the claim forever): it fails, saying why.
        await this.#fail(claimed, `the job's secrets could not be read: ${(err as Error).message}`);
        runOf.delete(run.id);
        siblingsOf.delete(run.id);
        continue;
      }
      return {
        run,
        job: claimed,
        project,
        // The leg's labels as planned (`runs-on: ${{ matrix.os }}` evaluated), so the runner maps the real label to its image.
        spec: { ...spec, runsOn },
        workflow,
        github,
        needs,
        matrix: job.matrix ? (JSON.parse(job.matrix) as Record<string, unknown>) : {},
        strategy: values.strategy!,
        inputs: values.inputs!,
        secrets,
        notes,
        vars: (await this.#varsFor?.(project)) ?? {},
      };
    }
    return undefined;
  }

  /**
   * A queued job naming an environment, at that environment's gate: let through ('open' when
   * there is none, 'approved' when it got through), or moved to `waiting` with a notice in
   * its log ('wait'), or failed when the rule cannot be read ('failed': fail closed).
   */
  async #atGate(run: Run, job: Job, siblings: Job[], needs: NeedsContext, spec: JobSpec): Promise<GateState | 'failed'> {
    const at = await this.#gateOf(run, job, siblings, needs, spec);
    if (at === 'failed' || at.state !== 'wait') return at === 'failed' ? at : at.state;
    if (!(await this.#store.runs.transitionJob(job.id, ['queued'], { status: 'waiting', waiting_since: job.waiting_since ?? iso(Date.now()), gate_environment: at.environment }))) return 'wait';
    await this.#note(job, waitingNotice(at.environment, at.approvals, at.rule!));
    this.#events.emit('job-updated', job.id, run.id);
    await this.#progress.updateRun(run.id);
    return 'wait';
  }

  /** `failOnError`: a rule that cannot be read fails the job (at its claim); else the job keeps waiting. */
  async #gateOf(run: Run, job: Job, siblings: Job[], needs: NeedsContext, spec: JobSpec, failOnError = true) {
    const context = await this.#progress.contextOf(run, job, siblings, needs);
    const environment = environmentOf(spec, context);
    if (environment === undefined) return { state: 'open' as const, environment: '', approvals: 0, rule: undefined };
    const project = projectOfRepository((context.values as { github: GithubContext }).github.repository);
    try {
      const rule = await this.#gate!.ruleFor(project, environment);
      const approvals = rule ? await this.#gate!.approvals(job.id) : 0;
      return { state: gateState(rule, approvals, job, Date.now()), environment, approvals, rule };
    } catch (err) {
      if (failOnError) await this.#fail(job, `the approval rule of environment ${environment} could not be read: ${(err as Error).message}`);
      return 'failed' as const;
    }
  }

  /**
   * After a decision, or when a wait timer may have run out: a waiting job whose gate lets
   * it through now (enough approvals, timer over) is queued again, and the claim hands it
   * out with the environment's secrets. True when it was queued.
   */
  async recheckGate(jobId: string): Promise<boolean> {
    const job = await this.#store.runs.job(jobId);
    if (!job || job.status !== 'waiting' || !this.#gate) return false;
    const run = await this.#store.runs.require(job.run_id);
    const siblings = await this.#store.runs.jobs(run.id);
    const needs = this.#progress.needsOf(run, job, siblings) ?? {};
    // A waiting job stays waiting when its rule cannot be read now (the sweep tries again).
    const at = await this.#gateOf(run, job, siblings, needs, specOf(this.#progress.plan(run), job).spec, false);
    if (at === 'failed' || at.state === 'wait') return false;
    if (!(await this.#store.runs.transitionJob(jobId, ['waiting'], { status: 'queued' }))) return false;
    this.#events.emit('job-updated', jobId, job.run_id);
    await this.#progress.updateRun(job.run_id);
    this.#events.emit('jobs-available');
    return true;
  }

  /** A waiting job was rejected: it fails with `message` ("rejected by X: why") and its dependants skip. */
  async rejectAtGate(jobId: string, message: string): Promise<boolean> {
    const job = await this.#store.runs.job(jobId);
    if (!job || job.status !== 'waiting') return false;
    return this.#fail(job, message);
  }

  /** Waiting jobs whose wait timer ran out (and that have their approvals) are queued: the server's sweep calls this. */
  async openTimedGates(): Promise<number> {
    let n = 0;
    for (const job of await this.#store.runs.waitingJobs()) if (await this.recheckGate(job.id)) n++;
    return n;
  }

  async #note(job: Job, line: string): Promise<void> {
    const stream = jobLogStream(job.id, job.attempt);
    const seq = (await this.#store.logs.lastSeq(stream)) + 1;
    if (await this.#store.logs.append(stream, seq, `${line}\n`)) this.#events.emit('log', stream, seq, `${line}\n`);
  }

  /** Fails a job that cannot start, saying why in its log; its dependants move on. */
  async #fail(job: Job, message: string): Promise<boolean> {
    await this.#note(job, `##[error]${message}`);
    if (!(await this.#progress.settle(job, 'failure', null, message))) return false;
    await this.#progress.advance(job.run_id);
    return true;
  }

  /**
   * The secret values a job may hold, read again from the store: for masking what its runner
   * reports when the process that handed the job out (and knew its secrets) is gone — a
   * server restart under a remote runner's job. A superset of what the claim gave: every
   * project secret (also those a called workflow did not pass), the values passed down, and
   * its environment's secrets whether or not its gate let them through.
   */
  async secretValuesOf(jobId: string): Promise<string[]> {
    const job = await this.#store.runs.job(jobId);
    if (!job) return [];
    const run = await this.#store.runs.require(job.run_id);
    // A run without a plan (one that failed to parse) never had a job handed out, nor secrets.
    if (!run.plan) return [];
    const siblings = await this.#store.runs.jobs(run.id);
    const { spec } = specOf(this.#progress.plan(run), job);
    const context = await this.#progress.contextOf(run, job, siblings, this.#progress.needsOf(run, job, siblings) ?? {});
    const github = (context.values as { github: GithubContext }).github;
    const got = await jobSecrets(this.#secretsFor, run, projectOfRepository(github.repository), spec, context, true);
    const passed = secretsAtLevel(this.#progress.plan(run), levelOf(job), got.secrets, github);
    return [...new Set([...Object.values(got.secrets), ...Object.values(passed), ...Object.values(got.environment ?? {})])];
  }

  async heartbeat(jobId: string, runner: string): Promise<boolean> {
    await this.#store.runners.seen(runner);
    return this.#store.runs.renewLease(jobId, runner, iso(Date.now() + this.#leaseMs));
  }

  /**
   * Ends a job its runner reports. `read`: the job's row if the caller just read it (the
   * in-process API does, to check the hold). Answers the job's run and its jobs as the run's
   * advance last read them, if it got there. `claimsNext`: the reporting runner claims next
   * in the same request, and the caller tells others of what its claim left (announce)
   * instead of waking them now to race that claim for the work this end made runnable.
   */
  async completeJob(jobId: string, runner: string, status: RunStatus, outputs: Record<string, string>, error?: string, read?: Job, claimsNext = false): Promise<Advanced | undefined> {
    const job = read ?? (await this.#store.runs.job(jobId));
    if (!job || job.runner !== runner || job.status !== 'running') return; // lost the lease: someone else owns it now
    // A job told to stop ends cancelled, whatever its steps made of the kill.
    const final = job.cancel_requested === 1 && status !== 'success' ? 'cancelled' : status;
    if (!(await this.#progress.settle(job, final, outputs, error))) return undefined;
    const advanced = await this.#progress.advance(job.run_id, { news: !claimsNext });
    if (claimsNext) for (const id of advanced?.readied ?? []) this.#reporterNews.add(id);
    return advanced;
  }

  /**
   * After `completeJob(…, claimsNext)` and the reporter's claim (`taken`: the job it won):
   * runners hear of the work that job's end made runnable unless that claim took all of it.
   * The end of a matrix leg always goes out: a leg held back by max-parallel may go now.
   */
  announce(ended: Job, advanced: Advanced | undefined, taken?: string): void {
    for (const id of advanced?.readied ?? []) this.#reporterNews.delete(id);
    // Left: readied, and neither this reporter's nor another claim's of this process since.
    const left = advanced?.jobs.some((j) => advanced.readied.includes(j.id) && j.id !== taken && !this.#taken(j));
    if (ended.matrix !== null || left) this.#events.emit('jobs-available');
  }

  /** Cancels a run: queued jobs end now; running jobs are told to stop (their `always()` steps still run). */
  async cancelRun(runId: string): Promise<void> {
    await this.#progress.cancelRun(runId);
  }

  /**
   * Re-runs a finished run as a new attempt: all jobs, the failed and cancelled ones with
   * their dependants, or one job with its dependants. Returns the new attempt number.
   */
  async rerun(runId: string, which: RerunWhich, by?: string): Promise<number> {
    const run = await this.#store.runs.require(runId);
    if (!isFinished(run.status)) throw new SlipwayError('CONFLICT', `run ${run.id} is ${run.status}: only a finished run can be re-run`);
    if (!run.plan) throw new SlipwayError('CONFLICT', `run ${run.id} never started (${run.error ? 'invalid workflow' : 'no plan'}): push a fix instead`);
    const rows = rerunJobs(storedPlanOf(run), await this.#store.runs.jobs(runId), which);
    const attempt = await this.#store.runs.newAttempt(runId, rows);
    // GitHub: a re-run keeps `github.actor` and makes its user `github.triggering_actor`.
    const trigger = by === undefined ? {} : { github_trigger: JSON.stringify({ ...(run.github_trigger ? (JSON.parse(run.github_trigger) as TriggerFacts) : { actor: 'slipway', refProtected: false }), triggeringActor: by }) };
    await this.#store.runs.update(runId, { concurrency_state: run.concurrency_group ? 'pending' : null, ...trigger });
    this.#events.emit('run-updated', runId);
    await this.runCreated(runId);
    return attempt;
  }

  /**
   * Jobs no online runner (seen within a lease) can take show what they wait for, and fail
   * after `queueTimeoutMs` (runner-waits.ts), or at once with `{ now: reason }`. Returns how many failed.
   */
  async sweepRunnerWaits(queueTimeoutMs: number | GiveUp, now = Date.now()): Promise<number> {
    return sweepRunnerWaits({
      store: this.#store,
      events: this.#events,
      onlineMs: this.#leaseMs,
      giveUp: typeof queueTimeoutMs === 'number' ? { afterMs: queueTimeoutMs } : queueTimeoutMs,
      now,
      takeable: (run, job, siblings) => this.#takeable(run, job, siblings),
      fail: async (job, message) => {
        const stream = jobLogStream(job.id, job.attempt);
        const seq = (await this.#store.logs.lastSeq(stream)) + 1;
        if (await this.#store.logs.append(stream, seq, `##[error]${message}\n`)) this.#events.emit('log', stream, seq, `##[error]${message}\n`);
        if (await this.#progress.settle(job, 'failure', null, message)) await this.#progress.advance(job.run_id);
      },
    });
  }

  /** What claim() asks of a job before its labels: a runner with the labels could take it now. */
  #takeable(run: Run, job: Job, siblings: Job[]): boolean {
    if (run.concurrency_state === 'pending' || job.run_attempt !== run.attempt || job.deferred_matrix === 1) return false;
    const needs = this.#progress.needsOf(run, job, siblings);
    if (!needs) return false;
    const { spec } = specOf(this.#progress.plan(run), job);
    if (!Object.values(needs).every((n) => n.result === 'success') && !spec.if) return false;
    return !spec.concurrency || job.concurrency_state === 'admitted';
  }

  /** Jobs whose lease ran out (their runner is gone) go back to the queue as their next attempt. */
  async requeueExpired(now = Date.now()): Promise<number> {
    let n = 0;
    for (const job of await this.#store.runs.runningJobs()) {
      if (job.lease_expires_at && Date.parse(job.lease_expires_at) > now) continue;
      if (await this.#interrupt(job, iso(now), 'lease')) n++;
    }
    return n;
  }

  /** After a restart: jobs held by this server's own built-in runner cannot still be running (a crash left them). */
  async recover(builtInRunnerPrefix: string): Promise<number> {
    const n = await this.#interruptHeldBy(builtInRunnerPrefix, 'crash');
    // Remote runners could not renew their leases while this server was down: each job they
    // hold gets one lease from now to be heard of again before it counts as lost.
    const until = iso(Date.now() + this.#leaseMs);
    for (const job of await this.#store.runs.runningJobs()) {
      if (job.runner && !job.runner.startsWith(builtInRunnerPrefix)) await this.#store.runs.renewLease(job.id, job.runner, until);
    }
    await this.requeueExpired();
    return n;
  }

  /** At a stop: jobs the built-in runner still held when the shutdown timeout ran out (killed, unreported). */
  async interruptHeld(builtInRunnerPrefix: string): Promise<number> {
    return this.#interruptHeldBy(builtInRunnerPrefix, 'shutdown');
  }

  /** An admin removed runner `name`: the jobs it holds lose their lease now and go back to the queue. */
  async releaseRunner(name: string): Promise<number> {
    return this.#interruptHeldBy((runner) => runner === name, 'removed');
  }

  async #interruptHeldBy(holds: string | ((runner: string) => boolean), cause: Interruption): Promise<number> {
    const held = typeof holds === 'string' ? (runner: string) => runner.startsWith(holds) : holds;
    let n = 0;
    for (const job of await this.#store.runs.runningJobs()) {
      if (!job.runner || !held(job.runner)) continue;
      // Its holder is gone, whatever the lease says: end the lease now, then the attempt.
      await this.#store.runs.transitionJob(job.id, ['running'], { lease_expires_at: iso(0) });
      if (await this.#interrupt({ ...job, lease_expires_at: iso(0) }, iso(Date.now()), cause)) n++;
    }
    return n;
  }

  /**
   * Ends an interrupted attempt (interrupted-attempt.ts): its log closed and marked, the job
   * queued as its next attempt, or failed when its workflow says `retry-on-crash: false`.
   */
  async #interrupt(job: Job, nowIso: string, cause: Interruption): Promise<boolean> {
    const run = await this.#store.runs.require(job.run_id);
    const { spec } = specOf(this.#progress.plan(run), job);
    const outcome = interruptionOutcome(cause, spec.retryOnCrash !== false);
    const reason = interruptionReasons[cause];
    const fields: Partial<Job> = outcome.retry
      ? { status: 'queued', runner: null, lease_expires_at: null, started_at: null, attempt: job.attempt + 1 }
      : { status: 'failure', lease_expires_at: null, finished_at: nowIso, error: outcome.error };
    if (!(await this.#store.runs.endExpiredAttempt(job, nowIso, reason, fields))) return false;
    const marker = outcome.retry
      ? `Attempt ${job.attempt} ${reason}; the job runs again as attempt ${job.attempt + 1}.`
      : `Attempt ${job.attempt} ${reason}; retry-on-crash is false, so the job fails.`;
    await closeAttemptLog(this.#store, this.#events, job, marker);
    if (outcome.retry) {
      this.#events.emit('run-updated', job.run_id);
      this.#events.emit('jobs-available');
    } else {
      await this.#progress.settled(job, 'failure');
      await this.#progress.advance(job.run_id);
    }
    return true;
  }
}
