// A step stops for one of two reasons besides ending: its timeout (`timeout-minutes`) or its
// job's cancel. Both executors (host processes, supervised container steps) arm the same
// watch and tell the two apart the same way.
export interface StepStop {
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Stops watching (the step ended). */
  disarm(): void;
}

/** Calls `kill` once the timeout passes or `signal` aborts, remembering which. */
export function armStepStop(timeoutMs: number | undefined, signal: AbortSignal | undefined, kill: () => void): StepStop {
  const state = { timedOut: false, cancelled: false };
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    state.timedOut = true;
    kill();
  }, timeoutMs);
  const onAbort = () => {
    state.cancelled = true;
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get timedOut() {
      return state.timedOut;
    },
    get cancelled() {
      return state.cancelled;
    },
    disarm() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
