// recreate: on every host, stop the old containers, then start the new one (apps that
// cannot run twice); once all are healthy, switch. On failure every host goes back to the
// previous release, since the old containers are gone everywhere.
import { startEverywhere, switchEverywhere } from './every-host.ts';
import type { Strategy } from './strategy.ts';

export const recreate: Strategy = {
  stopOldFirst: true,
  async roll(steps) {
    const { started, failures } = await startEverywhere(steps);
    if (failures.length > 0) throw steps.fail(failures, await steps.rollBack(steps.hosts));
    return switchEverywhere(steps, started);
  },
};
