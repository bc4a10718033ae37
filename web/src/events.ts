// Live updates: one EventSource on /api/events for the whole app (message events naming
// what changed, filtered by the server to what the caller may read; `resync` when it had to
// drop some). A page says which events concern it and refetches.
import { useEffect, useRef } from 'preact/hooks';

export interface LiveEvent {
  type: 'run-updated' | 'job-updated' | 'deployment-updated' | 'release-created';
  project: string;
  id: string;
  /** job-updated: the job's run. */
  run?: string;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
/** Called after a reconnect or a resync: events may have been missed, so every page refetches. */
const reconnects = new Set<() => void>();

function open(): void {
  if (source) return;
  let opened = false;
  source = new EventSource('/api/events');
  source.onopen = () => {
    if (opened) for (const r of reconnects) r();
    opened = true;
  };
  // Updates are plain `message` events (earlier servers named them `update`).
  source.onmessage = (m) => dispatch(m.data);
  source.addEventListener('update', (m) => dispatch((m as MessageEvent<string>).data));
  // The server dropped events for this tab (it fell behind): every page refetches.
  source.addEventListener('resync', () => {
    for (const r of reconnects) r();
  });
}

function dispatch(data: string): void {
  let e: LiveEvent;
  try {
    e = JSON.parse(data) as LiveEvent;
  } catch {
    return;
  }
  for (const l of listeners) l(e);
}

export function closeEvents(): void {
  source?.close();
  source = undefined;
}

/**
 * Calls `refresh` when an event `wanted` accepts arrives (coalesced: at most one refresh in
 * flight and one queued), and after the event stream reconnects.
 */
export function useLive(wanted: (e: LiveEvent) => boolean, refresh: () => Promise<unknown> | void, deps: unknown[]): void {
  const wantedRef = useRef(wanted);
  const refreshRef = useRef(refresh);
  wantedRef.current = wanted;
  refreshRef.current = refresh;
  useEffect(() => {
    open();
    let running = false;
    let again = false;
    const run = async () => {
      if (running) return void (again = true);
      running = true;
      try {
        await refreshRef.current();
      } catch {
        // The page shows its own errors on its next successful or failing load.
      } finally {
        running = false;
        if (again) {
          again = false;
          void run();
        }
      }
    };
    const l: Listener = (e) => {
      if (wantedRef.current(e)) void run();
    };
    const r = () => void run();
    listeners.add(l);
    reconnects.add(r);
    return () => {
      listeners.delete(l);
      reconnects.delete(r);
    };
  }, deps);
}
