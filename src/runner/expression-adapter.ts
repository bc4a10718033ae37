// The runner's view of the expression engine: contexts are plain objects of named
// values, and the status functions read the job's progress so far. `hashFiles` needs the
// workspace, so callers that have one pass it.
import { evaluateCondition, interpolate } from '../workflow/expressions/index.ts';

export interface StatusFlags {
  failure: boolean;
  cancelled: boolean;
}

export type ExprContext = Record<string, unknown>;

export type HashFiles = (patterns: string[]) => string;

export function evaluateIf(ifText: string | undefined, values: ExprContext, flags: StatusFlags, hashFiles?: HashFiles): boolean {
  return evaluateCondition(ifText, { values, hashFiles, status: { success: !flags.failure && !flags.cancelled, failure: flags.failure, cancelled: flags.cancelled } });
}

export function interpolateText(text: string, values: ExprContext, hashFiles?: HashFiles): string {
  return interpolate(text, { values, hashFiles });
}
