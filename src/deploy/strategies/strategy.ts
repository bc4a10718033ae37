// How a release reaches an environment's hosts: one Strategy per deploy.yml `strategy:`
// (blue-green.ts, rolling.ts, recreate.ts), registered by the composition root in a Map
// from name to implementation. A strategy only orders the steps; rollout.ts does them
// (sessions, max_parallel, per-host status, automatic rollback, the error).
import type { Candidate } from '../engine/engine.ts';

export interface HostResult {
  host: string;
  candidate: Candidate;
}

export interface Failure {
  host: string;
  error: Error;
}

/** The steps a strategy orders, each reporting the host's status as it goes. */
export interface RolloutSteps {
  /** Every host of the environment, in deploy.yml order. */
  readonly hosts: readonly string[];
  /** deploy.yml `max_parallel`: hosts worked on at once. */
  readonly limit: number;
  /** deploy.yml `batch_size` (rolling). */
  readonly batchSize: number;
  /** Phase 1 on a host (`running`; `failure` if it fails). */
  start(host: string): Promise<Candidate>;
  /** Phase 2 on a host (`success`; `failure` if it fails). */
  switch(host: string, candidate: Candidate): Promise<void>;
  /** Removes a candidate that never served (`rolled_back`: another host failed). */
  discard(host: string, candidate: Candidate): Promise<void>;
  /** Both phases on a host (`running`, then `success` or `failure`). */
  deploy(host: string): Promise<HostResult>;
  /** A host the rollout did not reach (`skipped`). */
  skip(host: string, reason: string): Promise<void>;
  /** Re-deploys the previous release on `hosts`; resolves with the hosts it is back on. */
  rollBack(hosts: readonly string[]): Promise<string[]>;
  /** The rollout's error: the first failure's code, every failing host, and what went back. */
  fail(failures: Failure[], rolledBack: string[]): Error;
  log(line: string): void;
}

export interface Strategy {
  /** A host's old containers stop before its new one starts (recreate), rather than after the switch. */
  readonly stopOldFirst: boolean;
  roll(steps: RolloutSteps): Promise<HostResult[]>;
}

/** deploy.yml strategy name → implementation. */
export type Strategies = ReadonlyMap<string, Strategy>;

/** The rejected outcomes of work done per host, with their hosts. */
export function failuresOf(hosts: readonly string[], results: PromiseSettledResult<unknown>[]): Failure[] {
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ host: hosts[i]!, error: r.reason as Error }] : []));
}
