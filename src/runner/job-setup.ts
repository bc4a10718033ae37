// The job's pre stage: its `if` (evaluated with the needs' results), `continue-on-error`
// and `timeout-minutes`, the commit checked out, the executor's environment (network,
// services, job container) set up, and then the job env (it may name github.server_url,
// which the executor decides: a job container reaches the server elsewhere than the runner).
import { dirname } from 'node:path';
import type { JobRun } from './job-run.ts';
import { checkoutCommit } from './actions/checkout.ts';
import { prefetchActions } from './actions/prefetch-actions.ts';
import { evaluateIf, interpolateText, type ExprContext } from './expression-adapter.ts';
import type { RunDefaults } from '../workflow/model.ts';
import { SlipwayError } from '../core/errors.ts';
import { continuesOnError, timeoutMs } from './step-options.ts';
import { useServerUrl } from './job-context.ts';
import { evaluateJobContainers } from './job-containers.ts';

/**
 * `defaults.run` with GitHub's contexts (docs.github.com "Contexts reference", context
 * availability): the job's may use github, needs, strategy, matrix, env, vars and inputs;
 * the workflow's none (GitHub lists no context for it), so only literal text works there.
 */
export function evaluateRunDefaults(workflow: RunDefaults, job: RunDefaults, ctx: ExprContext): RunDefaults {
  const jobCtx: ExprContext = {};
  for (const name of ['github', 'needs', 'strategy', 'matrix', 'env', 'vars', 'inputs']) jobCtx[name] = ctx[name];
  const out: RunDefaults = {};
  for (const key of ['shell', 'workingDirectory'] as const) {
    const [value, where, values] = job[key] !== undefined ? [job[key], 'jobs.<job_id>.defaults.run', jobCtx] : [workflow[key], 'defaults.run', {}];
    if (value === undefined) continue;
    try {
      out[key] = interpolateText(value, values);
    } catch (err) {
      throw new SlipwayError('WORKFLOW_INVALID', `${where}.${key === 'shell' ? 'shell' : 'working-directory'}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Returns false when the job's `if` does not hold (the job is skipped, nothing was set up). */
export async function setUpJob(job: JobRun): Promise<boolean> {
  const { state, frame } = job;
  const { claimed, spec, log, paths } = state;
  const needsFailed = Object.values(claimed.contexts.needs).some((n) => n.result !== 'success');
  if (!evaluateIf(spec.if, state.context(frame), { failure: needsFailed, cancelled: false }, state.hashFiles)) {
    log.line(`Job skipped: if: ${spec.if}`);
    job.skipped = true;
    return false;
  }
  const ctx = state.context(frame);
  job.continueOnError = continuesOnError(spec, ctx, state);
  const jobTimeoutMs = timeoutMs(spec, ctx, state) ?? spec.timeoutMinutes * 60_000;
  const timer = setTimeout(() => {
    job.timedOut = true;
    log.line(`##[error]The job exceeded its timeout of ${jobTimeoutMs / 60_000} minutes.`);
    job.abort.abort();
  }, jobTimeoutMs);
  job.disposers.push(() => clearTimeout(timer));
  // Before anything runs: a remote action that cannot be had fails the job here (GitHub's "Download action repository").
  await prefetchActions(state);
  log.line(`Checking out ${claimed.sha} (${claimed.ref})`);
  const fetch = (dir: string) => checkoutCommit(state.api, claimed.id, claimed.sha, dir, log, job.abort.signal);
  if (!job.checkouts) await fetch(paths.workspace);
  else if (await job.checkouts.checkout(claimed.project, claimed.sha, paths.workspace, fetch)) log.line("Copied from this runner's checkout of the commit (fetched by an earlier job)");
  const filesDir = dirname(paths.files.env);
  const containers = evaluateJobContainers(spec, ctx, state.hashFiles);
  for (const secret of containers.secrets) log.addMask(secret);
  state.environment = await state.executor.setup({
    jobId: claimed.id,
    workspace: paths.workspace,
    volumes: [`${filesDir}:${filesDir}`, `${paths.temp}:${paths.temp}`, `${paths.toolCache}:${paths.toolCache}`, `${paths.actions}:${paths.actions}:ro`],
    services: containers.services,
    ...(containers.container ? { container: containers.container } : {}),
    onOutput: (t) => log.write(t),
    signal: job.abort.signal,
    serverUrl: state.serverUrl,
  });
  // After setup, so `${{ github.server_url }}` in `env:` is the URL the job's steps reach.
  useServerUrl(state.jobEnv, state.environment.serverUrl ?? state.serverUrl);
  for (const [k, v] of Object.entries({ ...claimed.workflow.env, ...spec.env })) state.jobEnv[k] = interpolateText(v, state.context(frame), state.hashFiles);
  state.runDefaults = evaluateRunDefaults(claimed.workflow.defaults, spec.defaults, state.context(frame));
  return true;
}
