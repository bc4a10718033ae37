// One job on its way through the runner: what its stages (job-setup.ts, job-steps.ts,
// job-close.ts) share, and the opening that makes it — log, masks, the cancel and
// heartbeat wiring, fresh directories and the job's step state. Everything opened here is
// closed by job-close.ts, which runJob reaches through a `finally`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimedJob } from './protocol/wire.ts';
import type { RunnerApi } from './protocol/runner-api.ts';
import type { Executor } from './executor.ts';
import type { JobSpec } from '../workflow/model.ts';
import type { RunStatus } from '../core/types.ts';
import { LogWriter } from './log-writer.ts';
import { defaultEnv, runnerContext, runnerGithubContext, serverUrls, type JobPaths } from './job-context.ts';
import type { JobState, StepFrame } from './job-state.ts';
import { hashFiles } from './hash-files.ts';
import type { CheckoutCache } from './actions/checkout-cache.ts';

export interface JobRunnerOptions {
  api: RunnerApi;
  runnerName: string;
  /** Directory holding per-job workspaces. */
  workDir: string;
  serverUrl: string;
  /** The executor for a job; constructing one starts nothing (setup does). */
  createExecutor: (spec: JobSpec, jobId: string) => Executor;
  /** Heartbeat period; the lease is a few times longer. */
  heartbeatMs: number;
  /** Where a problem goes that the job's own log cannot carry (its upload failed). */
  onError?: (err: unknown) => void;
  /**
   * Aborted when the runner stops without waiting any longer: the job's processes are
   * killed and it is left unreported, so the server re-queues it (a new attempt).
   */
  shutdown?: AbortSignal;
  /** The runner's copies of commits it checked out (actions/checkout-cache.ts); without it every job fetches its commit. */
  checkouts?: CheckoutCache;
  /** The runner's next job, claimed as this one is reported (RunnerApi.completeJob `next`); without it the report claims nothing. */
  next?: NextJob;
}

/** What a job's report asks for the runner's next job, and where a job so claimed goes. */
export interface NextJob {
  /** The labels to claim with now; undefined when the runner takes no more work (it stops). */
  labels: () => readonly string[] | undefined;
  take: (job: ClaimedJob) => void;
}

export interface JobRun {
  state: JobState;
  /** The job's own steps' frame (composite actions make their own). */
  frame: StepFrame;
  /** The job's directory: workspace, temp and file-command files; removed at the end. */
  root: string;
  /** Aborted on cancel, timeout or a lost lease: kills the running step. */
  abort: AbortController;
  /** Kills the `always()` steps that run after a cancel; aborted only when the lease is lost. */
  afterCancel: AbortController;
  /** Set by the setup stage when the job's `if` does not hold. */
  skipped: boolean;
  timedOut: boolean;
  /** A stage threw (checkout, setup, an expression): the job failed outside any step. */
  crashed: boolean;
  continueOnError: boolean;
  onError: (err: unknown) => void;
  /** The runner stopped under it (options.shutdown): killed, and left for the server to re-queue. */
  interrupted: boolean;
  /** Undoes what the opening and the stages started (timers, listeners), in any order. */
  disposers: (() => void)[];
  checkouts: CheckoutCache | undefined;
  next: NextJob | undefined;
}

/** The job's result: a timeout fails it; any other abort cancels it. */
export function jobStatus(job: JobRun): RunStatus {
  if (job.skipped) return 'skipped';
  if (job.timedOut) return 'failure';
  if (job.abort.signal.aborted) return 'cancelled';
  return job.crashed || job.state.failed ? 'failure' : 'success';
}

export async function openJob(claimed: ClaimedJob, options: JobRunnerOptions): Promise<JobRun> {
  const { api } = options;
  const { spec, contexts } = claimed;
  const jobId = claimed.id;
  const log = new LogWriter({ startSeq: claimed.logSeq ?? (await api.nextLogSeq(jobId)), send: (seq, text) => api.appendLog(jobId, seq, text) });
  // GitHub's automatic token: the job's own (ClaimedJob.token), masked like any secret.
  const secrets: Record<string, string> = { ...contexts.secrets, GITHUB_TOKEN: claimed.token };
  for (const v of Object.values(secrets)) log.addMask(v);
  // What the server decided about the job's secrets (an environment's secrets withheld, and why).
  for (const note of claimed.notes ?? []) log.line(note);
  const abort = new AbortController();
  const afterCancel = new AbortController();
  const disposers = [api.onCancel(jobId, () => abort.abort())];
  // One heartbeat at a time: one still retrying (a server restarting) is not sent again on top.
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    api.heartbeat(jobId).finally(() => (beating = false)).then(
      (held) => {
        if (held) return;
        // Lease lost: the job was re-queued elsewhere (or cancelled); stop working on it.
        abort.abort();
        afterCancel.abort();
      },
      (err: Error) => log.line(`##[warning]heartbeat failed: ${err.message}`),
    );
  }, options.heartbeatMs);
  disposers.push(() => clearInterval(heartbeat));
  const onShutdown = () => {
    job.interrupted = true;
    abort.abort();
    afterCancel.abort();
  };
  options.shutdown?.addEventListener('abort', onShutdown, { once: true });
  disposers.push(() => options.shutdown?.removeEventListener('abort', onShutdown));

  const root = join(options.workDir, jobId);
  const paths = makeJobDirs(root);
  // GITHUB_EVENT_PATH: the trigger's payload, as GitHub writes it for every job.
  writeFileSync(paths.event, JSON.stringify(contexts.github.event, null, 2));
  const github = runnerGithubContext(claimed, options.serverUrl, paths);
  const debug = secrets.ACTIONS_STEP_DEBUG === 'true' || contexts.vars.ACTIONS_STEP_DEBUG === 'true';
  const runner = runnerContext(options.runnerName, paths, debug || secrets.ACTIONS_RUNNER_DEBUG === 'true' || contexts.vars.ACTIONS_RUNNER_DEBUG === 'true');
  const state: JobState = {
    claimed, api, paths, log, spec,
    runDefaults: {},
    serverUrl: options.serverUrl,
    jobEnv: { ...defaultEnv(github, paths, runner, claimed.runId) },
    extraPath: [],
    cancelSignal: abort.signal,
    signal: abort.signal,
    executor: options.createExecutor(spec, jobId),
    environment: { network: '', services: {} },
    postSteps: [],
    hashFiles: (patterns) => hashFiles(paths.workspace, patterns),
    stepNumber: 0,
    pending: [],
    failed: false,
    context: (frame) => ({
      github: { ...github, ...serverUrls(state.environment.serverUrl ?? options.serverUrl), action_path: frame.actionPath ?? '' },
      env: { ...state.jobEnv, ...frame.env },
      job: {
        status: state.failed ? 'failure' : abort.signal.aborted ? 'cancelled' : 'success',
        ...(spec.container ? { container: { network: state.environment.network } } : {}),
        services: state.environment.services,
      },
      steps: frame.steps,
      runner,
      needs: contexts.needs,
      secrets,
      vars: contexts.vars,
      inputs: frame.inputs ?? contexts.inputs,
      matrix: contexts.matrix,
      strategy: contexts.strategy,
    }),
    commandSink: () => ({
      output: (t) => log.write(t),
      addMask: (v) => log.addMask(v),
      annotation: (a) => {
        // Masked here, before it leaves the runner: annotations are stored and shown apart from the log.
        const masked = { ...a, message: log.mask(a.message), ...(a.title !== undefined ? { title: log.mask(a.title) } : {}), ...(a.file !== undefined ? { file: log.mask(a.file) } : {}) };
        state.pending.push(api.addAnnotation(jobId, { ...masked, step: state.stepNumber }).catch((err: Error) => log.line(`##[warning]could not record an annotation: ${err.message}`)));
      },
      debug,
    }),
  };
  const job: JobRun = {
    state, root, abort, afterCancel, disposers, interrupted: false,
    frame: { steps: {}, failed: false, env: {}, depth: 0 },
    skipped: false, timedOut: false, crashed: false,
    continueOnError: spec.continueOnError,
    checkouts: options.checkouts,
    next: options.next,
    onError: options.onError ?? ((err) => console.error((err as Error).message)),
  };
  return job;
}

/** A fresh job directory: workspace, RUNNER_TEMP, RUNNER_TOOL_CACHE and the empty file-command files. */
function makeJobDirs(root: string): JobPaths {
  const filesDir = join(root, 'files');
  const paths: JobPaths = {
    workspace: join(root, 'workspace'),
    temp: join(root, 'temp'),
    toolCache: join(root, 'tool-cache'),
    actions: join(root, 'actions'),
    event: join(filesDir, 'event.json'),
    files: { env: join(filesDir, 'env'), output: join(filesDir, 'output'), path: join(filesDir, 'path'), summary: join(filesDir, 'summary.md'), state: join(filesDir, 'state') },
  };
  rmSync(root, { recursive: true, force: true });
  for (const d of [paths.workspace, paths.temp, paths.toolCache, paths.actions, filesDir]) mkdirSync(d, { recursive: true });
  for (const f of Object.values(paths.files)) writeFileSync(f, '');
  return paths;
}
