// A push is a durable event (DESIGN.md "The flow"): once git has accepted it, it becomes a
// run even if the server dies that instant. Each ref update is recorded before the push is
// acknowledged and processed into runs after; start-up processes what a crash left pending
// and records ref updates that a crash kept from being recorded at all (the repositories'
// refs against the heads last recorded).
import { Serial } from '../core/serial.ts';
import { zeroSha, type PushEvent } from '../core/types.ts';
import { crashPoint } from '../core/crash-point.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { ForgeDelivery, StoredPushEvent } from '../store/repos/push-events.ts';
import { startRunsForPush, type PushDeps } from './push.ts';

/** A push event pending this long was left by a server that stopped processing it (another one picks it up). */
const stalePendingMs = 60_000;

/** Who a recovered update is attributed to: the push that made it was never acknowledged. */
const unknownPusher = 'unknown (recovered at start-up)';

interface PushEventsDeps extends PushDeps {
  git: GitHosting;
  /** Keeps a promise so shutdown can wait for work already under way. */
  track: (work: Promise<unknown>) => void;
}

export class PushEvents {
  readonly #deps: PushEventsDeps;
  /** Events are processed one at a time, in the order they were recorded. */
  readonly #queue = new Serial();
  /** The runs each event received in this process started, for the pusher's feedback (push-feedback.ts). */
  readonly #runsOf = new WeakMap<PushEvent, Promise<string[]>>();
  /** Events this process has queued or is processing, and those it failed (retried only at the next start). */
  readonly #mine = new Set<string>();
  readonly #failed = new Set<string>();

  constructor(deps: PushEventsDeps) {
    this.#deps = deps;
  }

  /**
   * The git push listener: records the event (awaited before git's answer ends), then
   * processes it. `delivery`: the forge webhook delivery that brought it (forge/webhook.ts),
   * recorded with it so a redelivery records nothing.
   */
  async received(event: PushEvent, delivery?: ForgeDelivery): Promise<void> {
    crashPoint('push-applied');
    const [stored] = await this.#deps.store.pushEvents.record([event], delivery);
    crashPoint('push-recorded');
    this.#runsOf.set(event, this.#enqueue(stored!));
  }

  /** The ids of the runs an event `received` here started, once they were; undefined for another event. */
  runsOf(event: PushEvent): Promise<string[]> | undefined {
    return this.#runsOf.get(event);
  }

  /**
   * At start-up: heads of repositories from before push events were kept, missed updates, pending events.
   * With `peersAlive` (another server on the database is running) a ref update not yet
   * recorded may be that server's push in flight, and a pending event one it is processing:
   * only events pending for longer than any processing takes are picked up.
   */
  async recover(options: { peersAlive?: boolean } = {}): Promise<{ recorded: number; pending: number }> {
    const { git, store } = this.#deps;
    if (options.peersAlive) return { recorded: 0, pending: await this.takeStale() };
    const readAll = async () => Promise.all((await git.projects()).map(async (project) => ({ project, refs: await git.refs(project) })));
    if (await store.pushEvents.seedOnce(readAll)) this.#deps.log('push events: recorded the current heads of existing repositories');
    const missed: PushEvent[] = [];
    for (const { project, refs } of await readAll()) {
      const heads = await store.pushEvents.heads(project);
      for (const [ref, sha] of refs) {
        if (heads.get(ref) !== sha) missed.push({ project, ref, before: heads.get(ref) ?? zeroSha, after: sha, pusher: unknownPusher });
      }
      for (const [ref, sha] of heads) {
        if (!refs.has(ref)) missed.push({ project, ref, before: sha, after: zeroSha, pusher: unknownPusher });
      }
    }
    await store.pushEvents.record(missed);
    for (const e of missed) this.#deps.log(`push events: ${e.project} ${e.ref} ${e.before.slice(0, 7)}..${e.after.slice(0, 7)} was not recorded before a stop; recorded now`);
    const pending = await store.pushEvents.pending();
    // Tracked and logged by #enqueue; nobody waits for their runs here.
    for (const stored of pending) void this.#enqueue(stored);
    return { recorded: missed.length, pending: pending.length };
  }

  /**
   * Picks up events pending for longer than processing takes, which a server that died left
   * (several servers on one database call this periodically); returns how many.
   */
  async takeStale(): Promise<number> {
    const cutoff = new Date(Date.now() - stalePendingMs).toISOString();
    const stale = (await this.#deps.store.pushEvents.pending()).filter((e) => e.received_at < cutoff && !this.#mine.has(e.id) && !this.#failed.has(e.id));
    for (const stored of stale) void this.#enqueue(stored);
    return stale.length;
  }

  #enqueue(stored: StoredPushEvent): Promise<string[]> {
    this.#mine.add(stored.id);
    // #process logs its own errors, and `work` is tracked.
    const work = this.#queue.run(() => this.#process(stored)).finally(() => this.#mine.delete(stored.id));
    this.#deps.track(work);
    return work;
  }

  async #process(stored: StoredPushEvent): Promise<string[]> {
    const event: PushEvent = { project: stored.project, ref: stored.ref, before: stored.before, after: stored.after, pusher: stored.pusher };
    try {
      const runs = await startRunsForPush(this.#deps, event, stored.id);
      await this.#deps.store.pushEvents.markProcessed(stored.id);
      return runs;
    } catch (err) {
      // Left pending: the next start processes it again (runs already started are not repeated).
      this.#failed.add(stored.id);
      this.#deps.log(`push ${event.project} ${event.ref}: ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }
}
