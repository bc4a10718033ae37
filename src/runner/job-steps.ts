// The job's main and post stages, with GitHub's rules: a step runs when its `if` (default
// `success()`) holds, a failing step fails the job unless `continue-on-error`, a cancel
// kills the current step and leaves only `always()`/`cancelled()` steps to run; then the
// post steps actions registered run, last registered first, like GitHub's "Post …" steps.
import type { JobRun } from './job-run.ts';
import type { JobState, PostStep, StepResult } from './job-state.ts';
import { recordStep, skipped, statusFlags } from './job-state.ts';
import { evaluateIf } from './expression-adapter.ts';
import { runStep } from './step-runner.ts';
import { continuesOnError } from './step-options.ts';
import { takeSummary } from './step-summary.ts';

export async function runMainSteps(job: JobRun): Promise<void> {
  const { state, frame } = job;
  for (const step of state.spec.steps) {
    beginStep(job, step.index + 1);
    const ctx = state.context(frame);
    if (!evaluateIf(step.if, ctx, statusFlags(state, frame), state.hashFiles)) {
      await state.api.skipStep(state.claimed.id, state.stepNumber, step.name);
      recordStep(frame, step.id, skipped, false);
      continue;
    }
    let stepContinues = false;
    const result = await reportStep(state, step.name, () => {
      stepContinues = continuesOnError(step, ctx, state);
      return runStep(step, frame, state);
    });
    if (recordStep(frame, step.id, result, stepContinues) === 'failure') state.failed = true;
  }
}

/** Post steps, last registered first; `success` ones only while the job has not failed. */
export async function runPostSteps(job: JobRun): Promise<void> {
  const { state } = job;
  let number = state.spec.steps.length;
  for (const post of [...state.postSteps].reverse()) {
    beginStep(job, ++number);
    if (!postStepRuns(state, post)) {
      await state.api.skipStep(state.claimed.id, number, post.name);
      continue;
    }
    const result = await reportStep(state, post.name, async () => {
      const status = (await post.run()) ?? 'success';
      return { status, exitCode: null, outputs: {} };
    });
    if (result.status === 'failure') state.failed = true;
  }
}

function postStepRuns(state: JobState, post: PostStep): boolean {
  if (typeof post.condition === 'function') return post.condition();
  return post.condition === 'always' || !(state.failed || state.cancelSignal.aborted);
}

/**
 * Numbers the step about to run and picks the signal that kills it (JobState.signal): the
 * cancel signal, or once the job is cancelled the lease-lost one, so that the steps that
 * still run after a cancel are not killed before they start.
 */
function beginStep(job: JobRun, number: number): void {
  const { state } = job;
  state.stepNumber = number;
  state.signal = state.cancelSignal.aborted ? job.afterCancel.signal : state.cancelSignal;
}

/**
 * Runs a step the server shows: started, its log in a group, a throw reported as a failure,
 * its annotations stored and its summary taken before it is reported finished.
 */
async function reportStep(state: JobState, name: string, body: () => Promise<StepResult>): Promise<StepResult> {
  const { api, log } = state;
  // The output since the last step (the job's set-up, the step before's tail) rides along.
  const stepId = await log.carry((chunk) => api.startStep(state.claimed.id, state.stepNumber, name, chunk));
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
  let summary: string | undefined;
  try {
    summary = takeSummary(state.paths.files.summary, (t) => log.mask(t));
  } catch (err) {
    // The step replaced $GITHUB_STEP_SUMMARY with something the runner will not read.
    log.line(`##[error]${(err as Error).message}`);
    result = { ...result, status: 'failure' };
  }
  if (summary !== undefined) {
    await api.setStepSummary(state.claimed.id, state.stepNumber, summary).catch((err: Error) => log.line(`##[warning]could not store the step summary: ${err.message}`));
  }
  await api.finishStep(stepId, result.status, result.exitCode);
  return result;
}
