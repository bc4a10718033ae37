// Who of the runners long-polling /api/runner/wait hears of new work (issue 13 "Measure").
// Waking every waiting runner on each 'jobs-available' sent them all to claim one job: with
// 10 runners, 2.6 claims and 1.5 waits a job in bench/scale.ts. Here a wake-up goes to one
// waiter, the one that waited longest, and its claim passes it on: a claim that won and
// saw more work is new news (the scheduler emits 'jobs-available': the next waiter), and one
// that found nothing wakes, for each
// other set of labels among the waiters whose claim has not found nothing since the news,
// the longest waiting (the work may be for labels it lacks). A runner whose wake-up is lost
// (it left before claiming) costs the others no more than their wait's timeout.

import type { EventBus } from '../../core/events.ts';

interface Waiter {
  runner: string;
  wake: () => void;
}

const labelKey = (labels: readonly string[]) => JSON.stringify([...labels].sort());

export class RunnerWakes {
  readonly #waiters: Waiter[] = [];
  /** Each runner's labels as its last claim offered them. */
  readonly #labels = new Map<string, string>();

  /** How many runners wait now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves when this runner is woken, after `timeoutMs`, or when `signal` aborts. */
  wait(runner: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve();
      };
      const waiter: Waiter = { runner, wake: done };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      if (signal.aborted) return done();
      this.#waiters.push(waiter);
    });
  }

  /** Label sets whose claim found nothing since the last news of work: no use waking them again. */
  readonly #tried = new Set<string>();

  /** New work may be available: the longest waiting runner is woken. */
  workAvailable(): void {
    this.#tried.clear();
    this.#waiters[0]?.wake();
  }

  /** A runner's claim ended, with a job or without: the wake-up goes on (see the top of this file). */
  claimed(runner: string, labels: readonly string[], won: boolean): void {
    const key = labelKey(labels);
    this.#labels.set(runner, key);
    // A win wakes no one here: the scheduler sends the news on when the claim saw more work.
    if (won) return;
    this.#tried.add(key);
    const woken = new Set<string>();
    for (const w of [...this.#waiters]) {
      // A runner that has not claimed yet is a label set of its own.
      const theirs = this.#labels.get(w.runner) ?? `runner:${w.runner}`;
      if (this.#tried.has(theirs) || woken.has(theirs)) continue;
      woken.add(theirs);
      w.wake();
    }
  }
}

const ofBus = new WeakMap<EventBus, RunnerWakes>();

/** The wake-ups of one server (one event bus), woken by its 'jobs-available'. */
export function runnerWakesOf(events: EventBus): RunnerWakes {
  let wakes = ofBus.get(events);
  if (!wakes) {
    const made = (wakes = new RunnerWakes());
    events.on('jobs-available', () => made.workAvailable());
    ofBus.set(events, made);
  }
  return wakes;
}
