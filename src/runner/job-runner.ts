// Runs one claimed job: fresh workspace with the commit checked out, service containers,
// then each step in order with GitHub's rules — a step runs when its `if` (default
// `success()`) holds, a failing step fails the job unless `continue-on-error`, cancellation
// kills the current step and leaves only `always()`/`cancelled()` steps to run — and last
// the post steps actions registered (in reverse order), like GitHub's "Post …" steps.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimedJob } from './protocol/wire.ts';
import type { RunnerApi } from './protocol/runner-api.ts';
import type { Executor } from './executor.ts';
import type { JobSpec } from '../workflow/model.ts';
import type { RunStatus } from '../core/types.ts';
import { LogWriter } from './log-writer.ts';
import { defaultEnv, runnerGithubContext, type JobPaths } from './job-context.ts';
import { checkoutCommit } from './actions/checkout.ts';
import { evaluateIf, interpolateText } from './expression-adapter.ts';
import type { JobState, StepFrame, StepResult } from './job-state.ts';
import { recordStep, skipped, statusFlags } from './job-state.ts';
import { runStep } from './step-runner.ts';
import { continuesOnError, timeoutMs } from './step-options.ts';
import { hashFiles } from './hash-files.ts';
import { startServices } from './services.ts';
import { takeSummary } from './step-summary.ts';
import { SlipwayError } from '../core/errors.ts';

/** What the job runner tells the executor factory beyond the spec. */
export interface JobExecutorExtras {
  /** The job's services network: a job container joins it to reach services by name. */
  network?: string;
  /** `host:container` mounts a job container needs (file-command files, RUNNER_TEMP). */
  volumes: string[];
}

export interface JobRunnerOptions {
  api: RunnerApi;
  runnerName: string;
  /** Directory holding per-job workspaces. */
  workDir: string;
  serverUrl: string;
  createExecutor: (spec: JobSpec, workspace: string, jobId: string, extras?: JobExecutorExtras) => Executor;
  /** Heartbeat period; the lease is a few times longer. */
  heartbeatMs: number;
}

const notStarted: Executor = {
  kind: 'shell',
  start: async () => {},
  run: async () => {
    throw new SlipwayError('INTERNAL', 'executor used before the job started it');
  },
  stop: async () => {},
};

export async function runJob(claimed: ClaimedJob, options: JobRunnerOptions): Promise<RunStatus> {
  const { api } = options;
  const { spec, contexts } = claimed;
  const job = { id: claimed.id };
  const log = new LogWriter({ startSeq: await api.nextLogSeq(job.id), send: (seq, text) => api.appendLog(job.id, seq, text) });
  const { secrets } = contexts;
  for (const v of Object.values(secrets)) log.addMask(v);
  const abort = new AbortController();
  // Steps that run after a cancel (always()) are killed only if the lease is lost.
  const afterCancel = new AbortController();
  const unsubscribe = api.onCancel(job.id, () => abort.abort());
  const heartbeat = setInterval(() => {
    api.heartbeat(job.id).then(
      (held) => {
        if (held) return;
        // Lease lost: the job was re-queued elsewhere (or cancelled); stop working on it.
        abort.abort();
        afterCancel.abort();
      },
      () => {},
    );
  }, options.heartbeatMs);

  const root = join(options.workDir, job.id);
  const filesDir = join(root, 'files');
  const paths: JobPaths = {
    workspace: join(root, 'workspace'),
    temp: join(root, 'temp'),
    files: { env: join(filesDir, 'env'), output: join(filesDir, 'output'), path: join(filesDir, 'path'), summary: join(filesDir, 'summary.md') },
  };
  rmSync(root, { recursive: true, force: true });
  for (const d of [paths.workspace, paths.temp, filesDir]) mkdirSync(d, { recursive: true });
  for (const f of Object.values(paths.files)) writeFileSync(f, '');

  const github = runnerGithubContext(claimed, options.serverUrl, paths.workspace);
  const debug = secrets.ACTIONS_STEP_DEBUG === 'true' || contexts.vars.ACTIONS_STEP_DEBUG === 'true';
  const jobFrame: StepFrame = { steps: {}, failed: false, env: {}, depth: 0 };
  const state: JobState = {
    claimed, api, paths, log, spec,
    jobEnv: { ...defaultEnv(github, paths, options.runnerName) },
    extraPath: [],
    cancelSignal: abort.signal,
    signal: abort.signal,
    executor: notStarted,
    postSteps: [],
    hashFiles: (patterns) => hashFiles(paths.workspace, patterns),
    stepNumber: 0,
    pending: [],
    failed: false,
    context: (frame) => ({
      github: { ...github, action_path: frame.actionPath ?? '' },
      env: { ...state.jobEnv, ...frame.env },
      job: {
        status: state.failed ? 'failure' : abort.signal.aborted ? 'cancelled' : 'success',
        ...(spec.container ? { container: { network: state.services?.network ?? '' } } : {}),
        services: state.services?.context ?? {},
      },
      steps: frame.steps,
      runner: { os: 'Linux', arch: 'X64', name: options.runnerName, temp: paths.temp, tool_cache: join(options.workDir, 'tool-cache'), debug: debug ? '1' : '' },
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
        state.pending.push(api.addAnnotation(job.id, { ...a, step: state.stepNumber }).catch((err: Error) => log.line(`##[warning]could not record an annotation: ${err.message}`)));
      },
      debug,
    }),
  };
  let status: RunStatus = 'success';
  let continueOnError = spec.continueOnError;
  let timedOut = false;
  let jobTimer: NodeJS.Timeout | undefined;
  /** A timeout fails the job; any other abort cancels it. */
  const ended = (failed: boolean): RunStatus => (timedOut ? 'failure' : abort.signal.aborted ? 'cancelled' : failed ? 'failure' : 'success');

  try {
    const needsFailed = Object.values(contexts.needs).some((n) => n.result !== 'success');
    if (!evaluateIf(spec.if, state.context(jobFrame), { failure: needsFailed, cancelled: false }, state.hashFiles)) {
      log.line(`Job skipped: if: ${spec.if}`);
      status = 'skipped';
      return status;
    }
    const jobCtx = state.context(jobFrame);
    continueOnError = continuesOnError(spec, jobCtx, state);
    const jobTimeoutMs = timeoutMs(spec, jobCtx, state) ?? spec.timeoutMinutes * 60_000;
    jobTimer = setTimeout(() => {
      timedOut = true;
      log.line(`##[error]The job exceeded its timeout of ${jobTimeoutMs / 60_000} minutes.`);
      abort.abort();
    }, jobTimeoutMs);
    for (const [k, v] of Object.entries({ ...claimed.workflow.env, ...spec.env })) state.jobEnv[k] = interpolateText(v, state.context(jobFrame), state.hashFiles);
    log.line(`Checking out ${claimed.sha} (${claimed.ref})`);
    await checkoutCommit(api, job.id, claimed.sha, paths.workspace, log, abort.signal);
    if (Object.keys(spec.services).length > 0) {
      state.services = await startServices({
        name: `slipway-${job.id}`.toLowerCase(), services: spec.services, labels: { 'slipway.job': job.id },
        onOutput: (t) => log.write(t), signal: abort.signal,
      });
    }
    state.executor = options.createExecutor(spec, paths.workspace, job.id, { network: state.services?.network, volumes: [`${filesDir}:${filesDir}`, `${paths.temp}:${paths.temp}`] });
    await state.executor.start();

    for (const step of spec.steps) {
      beginStep(state, step.index + 1, afterCancel.signal);
      const ctx = state.context(jobFrame);
      if (!evaluateIf(step.if, ctx, statusFlags(state, jobFrame), state.hashFiles)) {
        await api.skipStep(job.id, state.stepNumber, step.name);
        recordStep(jobFrame, step.id, skipped, false);
        continue;
      }
      let stepContinues = false;
      const result = await reportStep(state, step.name, () => {
        stepContinues = continuesOnError(step, ctx, state);
        return runStep(step, jobFrame, state);
      });
      if (recordStep(jobFrame, step.id, result, stepContinues) === 'failure') state.failed = true;
    }
    await runPostSteps(state, spec.steps.length, afterCancel.signal);
    status = ended(state.failed);
  } catch (err) {
    log.line(`##[error]${(err as Error).message}`);
    status = ended(true);
  } finally {
    clearTimeout(jobTimer);
    clearInterval(heartbeat);
    unsubscribe();
    await state.executor.stop().catch((err: Error) => log.line(`##[warning]cleanup: ${err.message}`));
    await state.services?.stop().catch((err: Error) => log.line(`##[warning]services cleanup: ${err.message}`));
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.outputs)) {
      try {
        outputs[k] = log.mask(interpolateText(v, state.context(jobFrame), state.hashFiles));
      } catch (err) {
        log.line(`##[warning]output ${k}: ${(err as Error).message}`);
      }
    }
    log.line(`Job ${status}`);
    await log.flush().catch((err: Error) => console.error(`job ${job.id}: log upload failed: ${err.message}`));
    const finalStatus = status === 'failure' && continueOnError ? 'success' : status;
    await api.completeJob(job.id, finalStatus, outputs);
    rmSync(root, { recursive: true, force: true });
  }
  return status;
}

/**
 * Numbers the step about to run and picks the signal that kills it (JobState.signal): the
 * cancel signal, or once the job is cancelled the lease-lost one, so that the steps that
 * still run after a cancel are not killed before they start.
 */
function beginStep(state: JobState, number: number, afterCancel: AbortSignal): void {
  state.stepNumber = number;
  state.signal = state.cancelSignal.aborted ? afterCancel : state.cancelSignal;
}

/**
 * Runs a step the server shows: started, its log in a group, a throw reported as a failure,
 * its annotations stored and its summary taken before it is reported finished.
 */
async function reportStep(state: JobState, name: string, body: () => Promise<StepResult>): Promise<StepResult> {
  const { api, log } = state;
  const stepId = await api.startStep(state.claimed.id, state.stepNumber, name);
  log.line(`##[group]${name}`);
  let result: StepResult;
  try {
    result = await body();
  } catch (err) {
    log.line(`##[error]${(err as Error).message}`);
    result = { status: 'failure', exitCode: null, outputs: {} };
  }
  log.line('##[endgroup]');
  await Promise.allSettled(state.pending.splice(0));
  const summary = takeSummary(state.paths.files.summary, (t) => log.mask(t));
  if (summary !== undefined) {
    await api.setStepSummary(state.claimed.id, state.stepNumber, summary).catch((err: Error) => log.line(`##[warning]could not store the step summary: ${err.message}`));
  }
  await api.finishStep(stepId, result.status, result.exitCode);
  return result;
}

/** Post steps, last registered first; `success` ones only while the job has not failed. */
async function runPostSteps(state: JobState, stepCount: number, afterCancel: AbortSignal): Promise<void> {
  let number = stepCount;
  for (const post of [...state.postSteps].reverse()) {
    beginStep(state, ++number, afterCancel);
    if (post.condition === 'success' && (state.failed || state.cancelSignal.aborted)) {
      await state.api.skipStep(state.claimed.id, number, post.name);
      continue;
    }
    const result = await reportStep(state, post.name, async () => {
      await post.run();
      return { status: 'success', exitCode: null, outputs: {} };
    });
    if (result.status === 'failure') state.failed = true;
  }
}
