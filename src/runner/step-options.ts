// `continue-on-error` and `timeout-minutes` of jobs and steps: literal values, or `${{ }}`
// expressions evaluated when the job or step starts (docs: they may use e.g. `matrix`).
import type { ExprContext } from './expression-adapter.ts';
import { interpolateText } from './expression-adapter.ts';
import type { JobState } from './job-state.ts';
import { SlipwayError } from '../core/errors.ts';
import { maxTimeoutMinutes } from '../workflow/parse/parse-step.ts';

/** `continue-on-error`, evaluated when the step starts where it is an expression. */
export function continuesOnError(spec: { continueOnError: boolean; continueOnErrorExpression?: string }, ctx: ExprContext, state: Pick<JobState, 'hashFiles'>): boolean {
  if (spec.continueOnErrorExpression === undefined) return spec.continueOnError;
  return interpolateText(spec.continueOnErrorExpression, ctx, state.hashFiles).trim() === 'true';
}

/** `timeout-minutes` in ms, evaluated where it is an expression; undefined when unset. */
export function timeoutMs(spec: { timeoutMinutes?: number; timeoutMinutesExpression?: string }, ctx: ExprContext, state: Pick<JobState, 'hashFiles'>): number | undefined {
  let minutes = spec.timeoutMinutes;
  if (spec.timeoutMinutesExpression !== undefined) {
    const text = interpolateText(spec.timeoutMinutesExpression, ctx, state.hashFiles).trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n <= 0) throw new SlipwayError('WORKFLOW_INVALID', `timeout-minutes: expected a positive number, got "${text}"`);
    if (n > maxTimeoutMinutes) throw new SlipwayError('WORKFLOW_INVALID', `timeout-minutes: ${text} is out of range: at most ${maxTimeoutMinutes} minutes`);
    minutes = n;
  }
  return minutes === undefined ? undefined : minutes * 60_000;
}
