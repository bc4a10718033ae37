// blue-green (the default): start and health-check the new version on every host first;
// only when all are healthy, switch every host. If any host fails (unhealthy, unreachable),
// nothing was switched: the new containers are removed and the old release keeps serving
// everywhere.
import { settleLimit } from '../../core/settle-limit.ts';
import { startEverywhere, switchEverywhere } from './every-host.ts';
import type { Strategy } from './strategy.ts';

export const blueGreen: Strategy = {
  stopOldFirst: false,
  async roll(steps) {
    const { started, failures } = await startEverywhere(steps);
    if (failures.length > 0) {
      const discarded = await settleLimit(started, steps.limit, ({ host, candidate }) => steps.discard(host, candidate));
      discarded.forEach((r, i) => r.status === 'rejected' && steps.log(`removing the new container on ${started[i]!.host} failed: ${(r.reason as Error).message}`));
      throw steps.fail(failures, []);
    }
    return switchEverywhere(steps, started);
  },
};
