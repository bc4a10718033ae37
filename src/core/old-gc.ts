// A busy server promotes a steady stream of short-lived objects to V8's old generation (the
// rows of a query still in use across an await outlive the 8 MB semi-spaces bin/slipway
// sets), and V8 lets that generation fill with them to several times the live heap before it
// collects it: in bench:scale the server's RSS climbed 135 → 270 MB over 1,000 jobs with
// about 60 MB live, and only levelled off there. This starts a concurrent full collection
// whenever the heap has grown `slackBytes` past what the last full collection left, so the
// garbage never holds more than that (RSS flat within 4 %, for ~0.5 s more CPU over the
// 1,000 jobs). It needs `--expose-gc` (bin/slipway passes it); without it this does nothing.
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

type Gc = (options: { type: 'major'; execution: 'async' }) => void;

/** Keeps the old generation within `slackBytes` of its last full collection; returns the stop. */
export function boundOldGeneration(slackBytes = 16 * 1024 * 1024, checkMs = 250): () => void {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (!gc) return () => {};
  const used = () => v8.getHeapStatistics().used_heap_size;
  let left = used();
  let collecting = false;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      left = used();
      collecting = false;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    if (collecting || used() - left < slackBytes) return;
    collecting = true;
    gc({ type: 'major', execution: 'async' });
  }, checkMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}
