// Several servers on one PostgreSQL (docs/scaling.md): every 10 s each server takes up what
// another one left when it died — push events it recorded but never processed, deployments
// it was running (failed under their environment's lock once its lease ran out) — and holds
// every approval wait it does not hold yet, so whichever server a decision reaches, or whose
// timer runs out first, opens it (once: opening is a compare-and-set).
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import type { PushEvents } from '../triggers/push-events.ts';
import type { DeployService } from '../deploy/service.ts';
import { failAbandonedDeployments } from '../deploy/abandoned-deployments.ts';
import { defaultLockTiming, newHolderId } from '../deploy/gate/environment-lock.ts';

interface PeerSweepDeps {
  store: Store;
  events: EventBus;
  pushes: PushEvents;
  deploys: DeployService;
  log: (message: string) => void;
}

/** Starts the sweep; returns its stop. */
export function sweepPeersLeftovers(deps: PeerSweepDeps, everyMs = 10_000): () => void {
  const { store, events, pushes, deploys, log } = deps;
  const holder = newHolderId();
  const sweep = async () => {
    const pushed = await pushes.takeStale();
    if (pushed > 0) log(`processing ${pushed} push event(s) another server left pending`);
    const failed = await failAbandonedDeployments({ store, events, holder, leaseMs: defaultLockTiming.leaseMs });
    if (failed > 0) log(`${failed} deployment(s) failed: the server running them stopped`);
    const adopted = await deploys.adoptWaiting();
    if (adopted > 0) log(`holding ${adopted} deployment(s) at their approval gate that another server held`);
  };
  const timer = setInterval(() => sweep().catch((err: unknown) => log(`sweep of other servers' leftovers: ${(err as Error).stack ?? String(err)}`)), everyMs);
  return () => clearInterval(timer);
}
