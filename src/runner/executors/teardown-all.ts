// Teardown runs every part even when one fails (a container that will not go must not keep
// the services running), then reports all the failures, not just the last.
export async function teardownAll(parts: (() => Promise<void>)[]): Promise<void> {
  const errors: Error[] = [];
  for (const part of parts) await part().catch((err: Error) => errors.push(err));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('; '));
}
