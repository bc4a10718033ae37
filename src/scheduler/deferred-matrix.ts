// A matrix that is an expression over `needs` (docs "Using a matrix for your jobs" §
// "Using contextual information to create matrices") is expanded into legs once the jobs
// it needs have finished.
import type { Job, NewJob } from '../store/repos/runs.ts';
import type { JobSpec } from '../workflow/model.ts';
import { expandMatrix, resolveMatrix } from '../workflow/plan/matrix.ts';
import type { ExpressionContext } from '../workflow/expressions/index.ts';
import { evaluateTemplate } from './contexts.ts';
import { jobIdOf } from './job-spec.ts';

/** The legs replacing `placeholder`, or an error message saying why the matrix is unusable. */
export function deferredLegs(placeholder: Job, spec: JobSpec, context: ExpressionContext): NewJob[] | string {
  const matrix = spec.strategy?.matrix;
  if (matrix === undefined) return `job ${spec.id} has no strategy.matrix to expand`;
  try {
    const resolved = resolveMatrix(matrix, (text) => evaluateTemplate(text, context));
    if (typeof resolved === 'string') return `strategy.matrix of job ${spec.id}: ${resolved}`;
    const jobId = jobIdOf(placeholder);
    // A leg's key is the placeholder's key with the leg's values: `id (a, b)`, or with the
    // caller's prefix for a job of a called workflow.
    const prefix = placeholder.key.endsWith(jobId) ? placeholder.key.slice(0, placeholder.key.length - jobId.length) : '';
    return expandMatrix(jobId, resolved).map((leg) => ({
      key: `${prefix}${leg.key}`,
      name: `${placeholder.name}${leg.key.slice(jobId.length)}`,
      needs: JSON.parse(placeholder.needs) as string[],
      // `runs-on: ${{ matrix.os }}` is decided per leg.
      runsOn: spec.runsOn.map((label) => (label.includes('${{') ? String(evaluateTemplate(label, { ...context, values: { ...context.values, matrix: leg.values } })) : label)),
      jobId,
      matrix: leg.values,
      workflow: placeholder.called_workflow ?? undefined,
      caller: placeholder.caller ?? undefined,
    }));
  } catch (err) {
    return `strategy.matrix of job ${spec.id}: ${(err as Error).message}`;
  }
}
