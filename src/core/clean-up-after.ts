// Cleanup after a failure (closing a handle, removing a temp file) must neither hide the
// failure nor be hidden by it: a cleanup that fails too is reported beside the first error.

/**
 * Runs `cleanup` after `err` happened and returns the error to throw: `err` itself, or an
 * AggregateError of `err` and the cleanup's failure (first error first).
 */
export async function cleanUpAfter(err: unknown, cleanup: () => Promise<unknown>): Promise<unknown> {
  try {
    await cleanup();
    return err;
  } catch (cleanupErr) {
    return new AggregateError([err, cleanupErr], `${messageOf(err)} (and cleaning up failed: ${messageOf(cleanupErr)})`, { cause: err });
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
