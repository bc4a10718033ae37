// The two halves blue-green and recreate share: start the release on every host, then
// switch every host, so no host serves the new release before all of them are healthy.
import { settleLimit } from '../../core/settle-limit.ts';
import { failuresOf, type Failure, type HostResult, type RolloutSteps } from './strategy.ts';

/** Phase 1 everywhere (at most `limit` hosts at once): the healthy candidates and the failures. */
export async function startEverywhere(steps: RolloutSteps): Promise<{ started: HostResult[]; failures: Failure[] }> {
  const results = await settleLimit(steps.hosts, steps.limit, (host) => steps.start(host));
  const started = steps.hosts.flatMap((host, i) => {
    const r = results[i]!;
    return r.status === 'fulfilled' ? [{ host, candidate: r.value }] : [];
  });
  return { started, failures: failuresOf(steps.hosts, results) };
}

/** Phase 2 everywhere; any failed switch fails the rollout. */
export async function switchEverywhere(steps: RolloutSteps, started: HostResult[]): Promise<HostResult[]> {
  const results = await settleLimit(started, steps.limit, ({ host, candidate }) => steps.switch(host, candidate));
  const failures = failuresOf(started.map((s) => s.host), results);
  if (failures.length > 0) throw steps.fail(failures, []);
  return started;
}
