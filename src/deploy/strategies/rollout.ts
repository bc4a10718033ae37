// A release rolled out to every host of an environment, with the strategy deploy.yml names,
// at most `max_parallel` hosts at a time, reporting each host's status as it goes.
// - blue-green (default): start and health-check the new version on every host first; only
//   when all are healthy, switch every host. If any host fails (unhealthy, unreachable),
//   nothing was switched: the new containers are removed and the old release keeps serving
//   everywhere.
// - rolling: `batch_size` hosts at a time, each fully switched before the next batch. On the
//   first failure the rollout stops, and hosts that already switched go back to the previous
//   release (same path: start, check, switch, drain).
// - recreate: stop, then start, on every host; on failure every host goes back to the
//   previous release.
import { SlipwayError } from '../../core/errors.ts';
import { settleLimit } from '../../core/settle-limit.ts';
import type { HostStatus } from '../../store/repos/deployment-hosts.ts';
import type { EnvironmentConfig } from '../config/deploy-config.ts';
import { deployToHost, discardCandidate, startCandidate, switchToCandidate, type Candidate, type HostDeployRequest } from '../engine/engine.ts';

export interface ReleaseRef {
  id: string;
  sha: string;
  image: string;
  digest: string;
}

/** A deployment's connection to one host: what the engine needs there. */
export interface HostSession {
  host: string;
  engine: HostDeployRequest['engine'];
  proxy: HostDeployRequest['proxy'];
  connect?: HostDeployRequest['connect'];
  /** The pull reference of a release as this host reaches the registry. */
  imageFor(release: ReleaseRef): string;
  close(): Promise<void>;
}

export type SharedRequest = Omit<HostDeployRequest, 'engine' | 'proxy' | 'connect' | 'image' | 'releaseId' | 'sha' | 'log'>;

export interface RolloutOptions {
  environment: EnvironmentConfig;
  release: ReleaseRef;
  /** What the environment ran before, for automatic rollback; none on a first deploy. */
  previous?: ReleaseRef;
  shared: SharedRequest;
  open(host: string, log: (line: string) => void): Promise<HostSession>;
  /** Per-host status changes (deployment_hosts). */
  report(host: string, status: HostStatus, fields?: { error?: string; container?: string }): Promise<void>;
  log(line: string): void;
}

export interface HostResult {
  host: string;
  candidate: Candidate;
}

export async function rollout(o: RolloutOptions): Promise<HostResult[]> {
  const { environment } = o;
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
  const request = async (host: string, release: ReleaseRef): Promise<HostDeployRequest> => {
    const s = await session(host);
    return { ...o.shared, engine: s.engine, proxy: s.proxy, connect: s.connect, image: s.imageFor(release), releaseId: release.id, sha: release.sha, log: hostLog(host) };
  };
  try {
    if (environment.strategy === 'rolling') return await rolling(o, hosts, limit, request);
    return await allAtOnce(o, hosts, limit, request);
  } finally {
    await Promise.allSettled([...sessions.values()].map(async (s) => (await s).close()));
  }
}

type RequestFor = (host: string, release: ReleaseRef) => Promise<HostDeployRequest>;

async function allAtOnce(o: RolloutOptions, hosts: string[], limit: number, request: RequestFor): Promise<HostResult[]> {
  const started = await settleLimit(hosts, limit, async (host) => {
    await o.report(host, 'running');
    return failureReported(o, host, async () => startCandidate(await request(host, o.release)));
  });
  const failures = failed(hosts, started);
  if (failures.length > 0) {
    if (o.environment.strategy === 'recreate') {
      // Recreate stopped the old containers first: bring the previous release back everywhere.
      const back = await rollBack(o, hosts, limit, request);
      throw rolloutError(failures, back);
    }
    // Blue-green: nothing switched yet. Remove the new containers; the old ones never stopped.
    const healthy = hosts.flatMap((host, i) => {
      const r = started[i]!;
      return r.status === 'fulfilled' ? [{ host, candidate: r.value }] : [];
    });
    await settleLimit(healthy, limit, async ({ host, candidate }) => {
      await discardCandidate(await request(host, o.release), candidate);
      await o.report(host, 'rolled_back', { error: 'not switched: another host failed' });
    });
    throw rolloutError(failures, []);
  }
  const candidates = started.map((r) => (r as PromiseFulfilledResult<Candidate>).value);
  const results = hosts.map((host, i) => ({ host, candidate: candidates[i]! }));
  const switched = await settleLimit(results, limit, ({ host, candidate }) =>
    failureReported(o, host, async () => {
      await switchToCandidate(await request(host, o.release), candidate);
      await o.report(host, 'success', { container: candidate.container });
    }));
  const switchFailures = failed(hosts, switched);
  if (switchFailures.length > 0) throw rolloutError(switchFailures, []);
  return results;
}

async function rolling(o: RolloutOptions, hosts: string[], limit: number, request: RequestFor): Promise<HostResult[]> {
  const size = o.environment.batchSize ?? 1;
  const done: HostResult[] = [];
  for (let i = 0; i < hosts.length; i += size) {
    const batch = hosts.slice(i, i + size);
    const results = await settleLimit(batch, limit, async (host) => {
      await o.report(host, 'running');
      return failureReported(o, host, async () => {
        const candidate = await deployToHost(await request(host, o.release));
        await o.report(host, 'success', { container: candidate.container });
        return { host, candidate };
      });
    });
    results.forEach((r) => r.status === 'fulfilled' && done.push(r.value));
    const failures = failed(batch, results);
    if (failures.length > 0) {
      for (const host of hosts.slice(i + size)) await o.report(host, 'skipped', { error: 'not started: an earlier batch failed' });
      o.log(`stopping the rollout: ${failures.map((f) => f.host).join(', ')} failed`);
      const back = await rollBack(o, done.map((d) => d.host), limit, request);
      throw rolloutError(failures, back);
    }
  }
  return done;
}

/** Re-deploys the previous release on `hosts`; returns the hosts it is back on. */
async function rollBack(o: RolloutOptions, hosts: string[], limit: number, request: RequestFor): Promise<string[]> {
  const previous = o.previous;
  if (hosts.length === 0) return [];
  if (!previous) {
    o.log(`no previous release to roll ${hosts.join(', ')} back to`);
    return [];
  }
  o.log(`rolling ${hosts.join(', ')} back to release ${previous.id} (${previous.sha.slice(0, 7)})`);
  const results = await settleLimit(hosts, limit, async (host) => {
    const candidate = await deployToHost(await request(host, previous));
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

interface Failure {
  host: string;
  error: Error;
}

function failed(hosts: string[], results: PromiseSettledResult<unknown>[]): Failure[] {
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ host: hosts[i]!, error: r.reason as Error }] : []));
}

/** The first failure's code, every failing host named, and what was rolled back. */
function rolloutError(failures: Failure[], rolledBack: string[]): SlipwayError {
  const first = failures[0]!.error;
  const code = first instanceof SlipwayError ? first.code : 'EXEC_FAILED';
  const lines = failures.map((f) => (f.host === 'local' || f.error.message.startsWith(f.host) ? f.error.message : `${f.host}: ${f.error.message}`));
  if (rolledBack.length > 0) lines.push(`rolled back to the previous release: ${rolledBack.join(', ')}`);
  return new SlipwayError(code, lines.join('\n'));
}
