// What an expression can read. Kept apart from the evaluator so callers (scheduler,
// runner) can build contexts without pulling in the parser.

/** The outcome so far that the status functions read (docs: "Status check functions"). */
export interface StatusState {
  /** All previous steps (or, for a job's `if`, all needed jobs) succeeded and nothing was cancelled. */
  success: boolean;
  /** A previous step (or a needed job, or an ancestor of one) failed. */
  failure: boolean;
  /** The run was cancelled. */
  cancelled: boolean;
}

export interface ExpressionContext {
  /**
   * Named values an expression may use: `github`, `env`, `vars`, `job`, `steps`, `runner`,
   * `secrets`, `strategy`, `matrix`, `needs`, `inputs`, … Plain JSON-like data (null,
   * booleans, numbers, strings, arrays, plain objects; undefined reads as null). Names and
   * object keys are matched case-insensitively, as on GitHub. A name that is not here is
   * an error ("Unrecognized named-value"), even in a branch that is never evaluated.
   */
  values: Record<string, unknown>;
  /** Read by success()/failure()/cancelled(); absent means success and not cancelled. */
  status?: StatusState;
  /** `hashFiles(...patterns)`; it needs the workspace, so the runner supplies it. */
  hashFiles?: (patterns: string[]) => string;
}

export const defaultStatus: StatusState = { success: true, failure: false, cancelled: false };
