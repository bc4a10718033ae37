// Expression errors say where in the expression they are, in the runner's words
// ("Located at position N within expression: ..."), so users can find the bad symbol.
import { SlipwayError } from '../../core/errors.ts';

/** Position is 1-based, counted in the expression text (without `${{ }}`). */
export function expressionError(message: string, expression: string, position?: number): SlipwayError {
  const where = position === undefined ? '' : `. Located at position ${position}`;
  return new SlipwayError('WORKFLOW_INVALID', `${message}${where} within expression: ${expression}`, {
    detail: { expression, position },
  });
}
