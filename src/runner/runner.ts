// The runner agent: takes jobs from the server, up to `concurrency` at a time, and runs
// them. The built-in runner (in `slipway up`) and a remote `slipway runner` are this same
// class with different RunnerApi implementations.
import type { RunnerApi } from './protocol/runner-api.ts';
import type { JobSpec } from '../workflow/model.ts';
import type { Executor } from './executor.ts';
import type { ClaimedJob } from './protocol/wire.ts';
import { join } from 'node:path';
import { runJob } from './job-runner.ts';
import { CheckoutCache } from './actions/checkout-cache.ts';

interface RunnerOptions {
  api: RunnerApi;
  name: string;
  labels: readonly string[];
  concurrency: number;
  workDir: string;
  serverUrl: string;
  heartbeatMs: number;
  createExecutor: (spec: JobSpec, jobId: string) => Executor;
  onError?: (err: unknown) => void;
}

export class Runner {
  readonly #options: RunnerOptions;
  readonly #stop = new AbortController();
  readonly #shutdown = new AbortController();
  readonly #active = new Set<Promise<unknown>>();
  #loop: Promise<void> | undefined;
  /** Beside the job folders (job-leftovers.ts removes only `job_*` ones at start-up). */
  readonly #checkouts: CheckoutCache;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#checkouts = new CheckoutCache(join(options.workDir, 'checkouts'));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    const o = this.#options;
    while (!this.#stop.signal.aborted) {
      if (this.#active.size >= o.concurrency) {
        await Promise.race(this.#active);
        continue;
      }
      let claimed;
      try {
        claimed = await o.api.claim(o.labels);
      } catch (err) {
        o.onError?.(err);
      }
      if (!claimed) {
        await o.api.waitForWork(1000, this.#stop.signal).catch((err) => o.onError?.(err));
        continue;
      }
      this.#begin(claimed);
    }
  }

  /**
   * Runs a claimed job. Its report claims the next one in the same call (the slot it frees),
   * unless the runner is stopping; a job so claimed starts here too, in that slot.
   */
  #begin(claimed: ClaimedJob): void {
    const o = this.#options;
    const next = { labels: () => (this.#stop.signal.aborted ? undefined : o.labels), take: (job: ClaimedJob) => this.#begin(job) };
    const work = runJob(claimed, { ...o, runnerName: o.name, shutdown: this.#shutdown.signal, checkouts: this.#checkouts, next })
      .catch((err) => o.onError?.(err))
      .finally(() => this.#active.delete(work));
    this.#active.add(work);
  }

  /**
   * Stops taking work and waits for running jobs to finish, for at most `graceMs`; then
   * kills what still runs and leaves those jobs unreported, for the server to re-queue.
   */
  async stop(graceMs = Infinity): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    // Until none is left: a report in flight at the stop may still hand over a next job.
    const finished = (async () => {
      while (this.#active.size > 0) await Promise.allSettled([...this.#active]);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Number.isFinite(graceMs) ? new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs))) : new Promise<never>(() => {});
    if ((await Promise.race([finished, timedOut])) === 'timeout') this.#shutdown.abort();
    clearTimeout(timer);
    await finished;
  }
}
