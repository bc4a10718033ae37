// A release rolled out to every host of an environment: the strategy deploy.yml names
// orders the steps (strategy.ts); this does them, at most `max_parallel` hosts at a time,
// one session per host, reporting each host's status as it goes, rolling hosts back to the
// previous release when the strategy asks, and naming every failing host in the error.
import { SlipwayError } from '../../core/errors.ts';
import { settleLimit } from '../../core/settle-limit.ts';
import type { HostStatus } from '../../store/repos/deployment-hosts.ts';
import type { EnvironmentConfig } from '../config/deploy-config.ts';
import type { Candidate } from '../engine/engine.ts';
import type { HostSession, ReleaseRef } from '../targets/deploy-target.ts';
import type { Failure, HostResult, RolloutSteps, Strategy } from './strategy.ts';

export interface RolloutOptions {
  environment: EnvironmentConfig;
  strategy: Strategy;
  release: ReleaseRef;
  /** What the environment ran before, for automatic rollback; none on a first deploy. */
  previous?: ReleaseRef;
  open(host: string, log: (line: string) => void): Promise<HostSession>;
  /** Per-host status changes (deployment_hosts). */
  report(host: string, status: HostStatus, fields?: { error?: string; container?: string }): Promise<void>;
  log(line: string): void;
}

interface DeployedHost extends HostResult {
  endpoint: HostSession['endpoint'];
}

export async function rollout(o: RolloutOptions): Promise<DeployedHost[]> {
  const { environment, strategy } = o;
  const hosts = environment.hosts;
  const limit = environment.maxParallel ?? 10;
  const sessions = new Map<string, Promise<HostSession>>();
  const hostLog = (host: string) => (hosts.length === 1 ? o.log : (line: string) => o.log(`[${host}] ${line}`));
  const session = (host: string) => {
    let s = sessions.get(host);
    if (!s) {
      s = o.open(host, hostLog(host));
      sessions.set(host, s);
    }
    return s;
  };
  const options = { stopOldFirst: strategy.stopOldFirst };
  /** Both phases of `release` on `host`. */
  const deploy = async (host: string, release: ReleaseRef): Promise<Candidate> => {
    const s = await session(host);
    const candidate = await s.start(release, options);
    await s.switch(release, candidate);
    return candidate;
  };
  const steps: RolloutSteps = {
    hosts,
    limit,
    batchSize: environment.batchSize ?? 1,
    async start(host) {
      await o.report(host, 'running');
      return failureReported(o, host, async () => (await session(host)).start(o.release, options));
    },
    switch: (host, candidate) =>
      failureReported(o, host, async () => {
        await (await session(host)).switch(o.release, candidate);
        await o.report(host, 'success', { container: candidate.container });
      }),
    async discard(host, candidate) {
      await (await session(host)).discard(o.release, candidate);
      await o.report(host, 'rolled_back', { error: 'not switched: another host failed' });
    },
    async deploy(host) {
      await o.report(host, 'running');
      return failureReported(o, host, async () => {
        const candidate = await deploy(host, o.release);
        await o.report(host, 'success', { container: candidate.container });
        return { host, candidate };
      });
    },
    skip: (host, reason) => o.report(host, 'skipped', { error: reason }),
    rollBack: (back) => rollBack(o, back, limit, deploy),
    fail: rolloutError,
    log: (line) => o.log(line),
  };
  try {
    const results = await strategy.roll(steps);
    return await Promise.all(results.map(async (r) => ({ ...r, endpoint: (await session(r.host)).endpoint })));
  } finally {
    await Promise.all([...sessions].map(async ([host, s]) => {
      // A session that failed to open has nothing to close; that failure is already the host's status.
      const opened = await s.then((x) => x, () => undefined);
      await opened?.close().catch((err: unknown) => o.log(`closing the session to ${host}: ${(err as Error).message}`));
    }));
  }
}

/** Re-deploys the previous release on `hosts`; returns the hosts it is back on. */
async function rollBack(o: RolloutOptions, hosts: readonly string[], limit: number, deploy: (host: string, release: ReleaseRef) => Promise<Candidate>): Promise<string[]> {
  const previous = o.previous;
  if (hosts.length === 0) return [];
  if (!previous) {
    o.log(`no previous release to roll ${hosts.join(', ')} back to`);
    return [];
  }
  o.log(`rolling ${hosts.join(', ')} back to release ${previous.id} (${previous.sha.slice(0, 7)})`);
  const results = await settleLimit(hosts, limit, async (host) => {
    const candidate = await deploy(host, previous);
    await o.report(host, 'rolled_back', { container: candidate.container });
  });
  results.forEach((r, i) => r.status === 'rejected' && o.log(`rolling ${hosts[i]} back failed: ${(r.reason as Error).message}`));
  return hosts.filter((_, i) => results[i]!.status === 'fulfilled');
}

/** Runs `work` for `host`; a failure is recorded (with its message) before it is passed on. */
async function failureReported<T>(o: RolloutOptions, host: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await o.report(host, 'failure', { error: (err as Error).message });
    throw err;
  }
}

/** The first failure's code, every failing host named, and what was rolled back. */
function rolloutError(failures: Failure[], rolledBack: string[]): SlipwayError {
  const first = failures[0]!.error;
  const code = first instanceof SlipwayError ? first.code : 'EXEC_FAILED';
  const lines = failures.map((f) => (f.host === 'local' || f.error.message.startsWith(f.host) ? f.error.message : `${f.host}: ${f.error.message}`));
  if (rolledBack.length > 0) lines.push(`rolled back to the previous release: ${rolledBack.join(', ')}`);
  return new SlipwayError(code, lines.join('\n'));
}
