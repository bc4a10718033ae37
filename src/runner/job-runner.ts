// Runs one claimed job: fresh workspace with the commit checked out, then each step in
// order with GitHub's rules — a step runs when its `if` (default `success()`) holds, a
// failing step fails the job unless `continue-on-error`, cancellation kills the current
// step and leaves only `always()`/`cancelled()` steps to run.
import { mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClaimedJob } from '../scheduler/scheduler.ts';
import type { RunnerApi } from './runner-api.ts';
import type { Executor } from './executor.ts';
import type { JobSpec, StepSpec } from '../workflow/model.ts';
import type { RunStatus } from '../core/types.ts';
import { LogWriter } from './log-writer.ts';
import { defaultEnv, githubContext, type JobPaths } from './job-context.ts';
import { parseKeyValueFile, takeFile } from './workflow-files.ts';
import { checkoutCommit } from './actions/checkout.ts';
import { findAction } from './actions/index.ts';
import { evaluateIf, interpolateText, type ExprContext, type StatusFlags } from './expression-adapter.ts';

export interface JobRunnerOptions {
  api: RunnerApi;
  runnerName: string;
  /** Directory holding per-job workspaces. */
  workDir: string;
  serverUrl: string;
  project: string;
  createExecutor: (spec: JobSpec, workspace: string, jobId: string) => Executor;
  /** Heartbeat period; the lease is a few times longer. */
  heartbeatMs: number;
}

interface StepRecord {
  outputs: Record<string, string>;
  outcome: RunStatus;
  conclusion: RunStatus;
}

export async function runJob(claimed: ClaimedJob, options: JobRunnerOptions): Promise<RunStatus> {
  const { api } = options;
  const { job, spec } = claimed;
  const log = new LogWriter({ startSeq: await api.nextLogSeq(job.id), send: (seq, text) => api.appendLog(job.id, seq, text) });
  const abort = new AbortController();
  const unsubscribe = api.onCancel(job.id, () => abort.abort());
  const heartbeat = setInterval(() => {
    api.heartbeat(job.id).then(
      (held) => held || abort.abort(), // lease lost: the job was re-queued elsewhere, stop working on it
      () => {},
    );
  }, options.heartbeatMs);

  const root = join(options.workDir, job.id);
  const paths: JobPaths = {
    workspace: join(root, 'workspace'),
    temp: join(root, 'temp'),
    files: { env: join(root, 'files', 'env'), output: join(root, 'files', 'output'), path: join(root, 'files', 'path'), summary: join(root, 'files', 'summary.md') },
  };
  rmSync(root, { recursive: true, force: true });
  for (const d of [paths.workspace, paths.temp, join(root, 'files')]) mkdirSync(d, { recursive: true });
  for (const f of Object.values(paths.files)) writeFileSync(f, '');

  const github = githubContext(claimed, options.project, options.serverUrl, paths.workspace);
  const jobEnv: Record<string, string> = { ...defaultEnv(github, paths, options.runnerName) };
  const steps: Record<string, StepRecord> = {};
  const extraPath: string[] = [];
  let failed = false;
  let executor: Executor | undefined;
  let status: RunStatus = 'success';

  const context = () => ({
    github,
    env: jobEnv,
    job: { status: failed ? 'failure' : 'success' },
    steps,
    runner: { os: 'Linux', arch: 'X64', name: options.runnerName, temp: paths.temp },
    needs: claimed.needs,
    secrets: {},
    vars: {},
    inputs: {},
    matrix: {},
    strategy: {},
  });
  const flags = (): StatusFlags => ({ failure: failed, cancelled: abort.signal.aborted });

  try {
    if (!evaluateIf(spec.if, context(), { failure: Object.values(claimed.needs).some((n) => n.result !== 'success'), cancelled: false })) {
      log.line(`Job skipped: if: ${spec.if}`);
      status = 'skipped';
      return status;
    }
    for (const [k, v] of Object.entries({ ...claimed.workflow.env, ...spec.env })) jobEnv[k] = interpolateText(v, context());
    log.line(`Checking out ${claimed.run.sha} (${claimed.run.ref})`);
    await checkoutCommit(api, job.id, claimed.run.sha, paths.workspace, log, abort.signal);
    executor = options.createExecutor(spec, paths.workspace, job.id);
    await executor.start();

    for (const step of spec.steps) {
      const ctx = context();
      if (!evaluateIf(step.if, ctx, flags())) {
        await api.skipStep(job.id, step.index + 1, step.name);
        if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        continue;
      }
      const stepId = await api.startStep(job.id, step.index + 1, step.name);
      log.line(`##[group]${step.name}`);
      const result = await runStep(step, ctx, executor, { claimed, api, paths, log, project: options.project, jobEnv, extraPath, signal: abort.signal, spec });
      log.line('##[endgroup]');
      const outcome = result.status;
      const conclusion = outcome === 'failure' && step.continueOnError ? 'success' : outcome;
      if (step.id) steps[step.id] = { outputs: result.outputs, outcome, conclusion };
      if (conclusion === 'failure') failed = true;
      await api.finishStep(stepId, outcome, result.exitCode);
    }
    status = abort.signal.aborted ? 'cancelled' : failed ? 'failure' : 'success';
  } catch (err) {
    log.line(`##[error]${(err as Error).message}`);
    status = abort.signal.aborted ? 'cancelled' : 'failure';
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    await executor?.stop().catch((err: Error) => log.line(`##[warning]cleanup: ${err.message}`));
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.outputs)) {
      try {
        outputs[k] = interpolateText(v, context());
      } catch (err) {
        log.line(`##[warning]output ${k}: ${(err as Error).message}`);
      }
    }
    log.line(`Job ${status}`);
    await log.flush().catch((err: Error) => console.error(`job ${job.id}: log upload failed: ${err.message}`));
    const finalStatus = status === 'failure' && spec.continueOnError ? 'success' : status;
    await api.completeJob(job.id, finalStatus, outputs);
    rmSync(root, { recursive: true, force: true });
  }
  return status;
}

interface StepDeps {
  claimed: ClaimedJob;
  api: RunnerApi;
  paths: JobPaths;
  log: LogWriter;
  project: string;
  jobEnv: Record<string, string>;
  extraPath: string[];
  signal: AbortSignal;
  spec: JobSpec;
}

async function runStep(step: StepSpec, ctx: ExprContext, executor: Executor, deps: StepDeps): Promise<{ status: RunStatus; exitCode: number | null; outputs: Record<string, string> }> {
  const { log, paths } = deps;
  const env: Record<string, string> = { ...deps.jobEnv };
  for (const [k, v] of Object.entries(step.env)) env[k] = interpolateText(v, { ...ctx, env });
  if (deps.extraPath.length > 0) env.PATH = [...deps.extraPath].reverse().join(':') + ':' + (env.PATH ?? process.env.PATH ?? '');
  let status: RunStatus = 'success';
  let exitCode: number | null = null;
  try {
    if (step.uses) {
      const action = findAction(step.uses);
      if (!action) throw new Error(`unknown action "${step.uses}": built-in actions are actions/checkout and slipway/build-image`);
      const inputs: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with)) inputs[k] = interpolateText(v, { ...ctx, env });
      const result = await action({ claimed: deps.claimed, project: deps.project, api: deps.api, paths, log, inputs, env, signal: deps.signal });
      if (result.outputs) {
        for (const [k, v] of Object.entries(result.outputs)) appendFileSync(paths.files.output, `${k}<<__SLIPWAY_EOF__\n${v}\n__SLIPWAY_EOF__\n`);
      }
    } else {
      const script = interpolateText(step.run ?? '', { ...ctx, env });
      const defaults = { ...deps.claimed.workflow.defaults, ...deps.spec.defaults };
      const workdir = step.workingDirectory ?? defaults.workingDirectory;
      const timeoutMs = step.timeoutMinutes !== undefined ? step.timeoutMinutes * 60_000 : deps.spec.timeoutMinutes * 60_000;
      const outcome = await executor.run({
        script,
        shell: step.shell ?? defaults.shell,
        env: { ...(process.env as Record<string, string>), ...env },
        cwd: workdir ? join(paths.workspace, workdir) : paths.workspace,
        timeoutMs,
        signal: deps.signal,
        onOutput: (t) => log.write(t),
      });
      exitCode = outcome.exitCode;
      if (outcome.cancelled) {
        status = 'cancelled';
        log.line('##[error]The step was cancelled.');
      } else if (outcome.timedOut) {
        status = 'failure';
        log.line(`##[error]The step timed out after ${timeoutMs / 60_000} minutes; its processes were killed.`);
      } else if (outcome.exitCode !== 0) {
        status = 'failure';
        log.line(`##[error]Process completed with exit code ${outcome.exitCode}.`);
      }
    }
  } catch (err) {
    status = deps.signal.aborted ? 'cancelled' : 'failure';
    log.line(`##[error]${(err as Error).message}`);
  }
  let outputs: Record<string, string> = {};
  try {
    Object.assign(deps.jobEnv, parseKeyValueFile(takeFile(paths.files.env)));
    outputs = parseKeyValueFile(takeFile(paths.files.output));
    for (const p of takeFile(paths.files.path).split('\n')) if (p.trim()) deps.extraPath.push(p.trim());
  } catch (err) {
    log.line(`##[error]${(err as Error).message}`);
    status = 'failure';
  }
  return { status, exitCode, outputs };
}
