// In this process, deployments of one environment run one after another, in the order they
// were queued (across processes the environment lock, gate/environment-lock.ts, does it).
export class EnvironmentQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #onError: (key: string, err: unknown) => void;

  /** `onError`: work that threw (it is logged, and the queue goes on). */
  constructor(onError: (key: string, err: unknown) => void) {
    this.#onError = onError;
  }

  /** Runs `work` after everything queued before it for `key`. */
  add(key: string, work: () => Promise<void>): void {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    this.#tails.set(key, previous.then(work).catch((err: unknown) => this.#onError(key, err)));
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#tails.values()]);
  }
}
