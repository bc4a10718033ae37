// A deployment's log: each line carries the time since the deployment started (so the log
// is also its timeline), is masked with the environment's secrets (and their encodings,
// src/core/mask.ts) once they are read, and is stored and announced in order.
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import { Masker } from '../core/mask.ts';

interface DeploymentLog {
  readonly stream: string;
  line(text: string): void;
  /** `text` with every secret value given to maskWith hidden. */
  mask(text: string): string;
  /** From now on, these values are masked (every line and the error). */
  maskWith(values: string[]): void;
  /** The deployment starts now (it may have waited for the lock); times count from here. */
  restartClock(): void;
  /** Milliseconds since the clock started. */
  elapsedMs(): number;
}

/** `onError`: a line that could not be stored (it is not lost silently). */
export function deploymentLog(store: Store, events: EventBus, deploymentId: string, onError: (err: Error) => void): DeploymentLog {
  const stream = `deployment:${deploymentId}`;
  let seq = 0;
  let start = Date.now();
  let masker = new Masker();
  const mask = (text: string) => masker.mask(text);
  return {
    stream,
    line(line) {
      const text = mask(`[${((Date.now() - start) / 1000).toFixed(3).padStart(7)}s] ${line}\n`);
      const n = seq++;
      void store.logs.append(stream, n, text).then(() => events.emit('log', stream, n, text), onError);
    },
    mask,
    maskWith(values) {
      masker = new Masker(values);
    },
    restartClock() {
      start = Date.now();
    },
    elapsedMs: () => Date.now() - start,
  };
}
