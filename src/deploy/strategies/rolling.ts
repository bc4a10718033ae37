// rolling: `batch_size` hosts at a time, each fully switched before the next batch. On the
// first failure the rollout stops, the hosts not reached are skipped, and hosts that already
// switched go back to the previous release (same path: start, check, switch, drain).
import { settleLimit } from '../../core/settle-limit.ts';
import { failuresOf, type HostResult, type Strategy } from './strategy.ts';

export const rolling: Strategy = {
  stopOldFirst: false,
  async roll(steps) {
    const { hosts, batchSize } = steps;
    const done: HostResult[] = [];
    for (let i = 0; i < hosts.length; i += batchSize) {
      const batch = hosts.slice(i, i + batchSize);
      const results = await settleLimit(batch, steps.limit, (host) => steps.deploy(host));
      results.forEach((r) => r.status === 'fulfilled' && done.push(r.value));
      const failures = failuresOf(batch, results);
      if (failures.length > 0) {
        for (const host of hosts.slice(i + batchSize)) await steps.skip(host, 'not started: an earlier batch failed');
        steps.log(`stopping the rollout: ${failures.map((f) => f.host).join(', ')} failed`);
        throw steps.fail(failures, await steps.rollBack(done.map((d) => d.host)));
      }
    }
    return done;
  },
};
