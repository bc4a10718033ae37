// Matrix expansion (docs: "Using a matrix for your jobs"). Implemented by the workflow
// engine; the planner uses it for literal matrices and the scheduler for matrices that are
// expressions over `needs`, once those jobs have finished.
import type { MatrixSpec } from './model.ts';
import { SlipwayError } from '../core/errors.ts';

export interface MatrixLeg {
  /** `id (v1, v2)`, as GitHub names legs. */
  key: string;
  values: Record<string, unknown>;
}

/** Cartesian product of the axes, minus `exclude`, plus/extended by `include`. At most 256 legs. */
export function expandMatrix(_jobId: string, _matrix: MatrixSpec): MatrixLeg[] {
  throw new SlipwayError('UNSUPPORTED', 'matrix expansion is not implemented yet');
}

/** A matrix given as a value (e.g. `fromJSON(needs.x.outputs.m)`) → MatrixSpec, or an error message. */
export function matrixFromValue(_value: unknown): MatrixSpec | string {
  return 'matrix from expressions is not implemented yet';
}
