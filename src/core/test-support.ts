// For tests that move time instead of waiting for it (approval wait timers, the schedule
// ticker). Not used outside tests.
import type { Clock } from './clock.ts';

interface Timer {
  at: number;
  fn: () => void;
  unref(): void;
}

/** Real time plus what the test skipped ahead; timers fire only in `advance`, when due. */
export function fakeClock() {
  let skipped = 0;
  const timers = new Set<Timer>();
  const clock: Clock = {
    now: () => Date.now() + skipped,
    setTimeout: (fn, ms) => {
      const t = { at: clock.now() + ms, fn, unref: () => {} };
      timers.add(t);
      return t;
    },
    clearTimeout: (h) => void timers.delete(h as Timer),
  };
  return {
    clock,
    pending: () => timers.size,
    advance(ms: number): void {
      skipped += ms;
      for (const t of [...timers].filter((x) => x.at <= clock.now())) {
        timers.delete(t);
        t.fn();
      }
    },
  };
}
