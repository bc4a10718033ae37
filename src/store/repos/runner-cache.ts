// Runners' credentials and states, kept a few seconds (issue 13, Measure): every runner
// protocol request authenticates its credential and every claim checks its runner's state,
// about 9 statements a job on PostgreSQL before this. Why what is kept stays true enough:
// - The store's own changes (a credential created or revoked, a pause, resume or drain, a
//   runner removed: runner-credentials.ts, runners.ts) call `changed` once committed, so
//   this server forgets the runner before it answers: a revoked credential is refused, and
//   a paused runner given nothing, on its next request.
// - `changed` is relayed to the other servers ('runner-changed', `relayRunnerChanges`), who
//   forget it too, within the event bridge's delay.
// - Whatever is kept is forgotten after `ttlMs` (5 s) anyway, so a lost relay (the bridge
//   was reconnecting) keeps another server wrong that long at most.
// - Only a live credential is kept: an unknown token is looked up each time, so a credential
//   registered through another server works at once; a revoked one is read each time too.
// - A read that overlapped a change is not kept (TtlCache's drop), so it cannot put back
//   what the change made this server forget.
import type { EventBus } from '../../core/events.ts';
import { TtlCache } from '../../core/ttl-cache.ts';
import type { RunnerCredentialsTable } from '../schema.ts';
import type { RunnerState } from './runners.ts';

/** 5 s (docs/security.md says so); far more runners than 1000 only read more often. */
const kept = { ttlMs: 5_000, max: 1000 };

export class RunnerCache {
  /** Live credentials by their token's hash. */
  readonly credentials = new TtlCache<string, RunnerCredentialsTable>(kept);
  /** Each runner's state, by name ('active' for one not known yet: what it gets when first seen). */
  readonly states = new TtlCache<string, RunnerState>(kept);
  readonly #listeners = new Set<(name: string) => void>();

  /** This server changed runner `name` (committed): forgotten here, and told to `onChanged` listeners (the relay). */
  changed(name: string): void {
    this.forget(name);
    for (const listener of this.#listeners) listener(name);
  }

  /** Forgets what is kept of runner `name` (another server changed it). */
  forget(name: string): void {
    this.credentials.drop((_, c) => c.name === name);
    this.states.drop((n) => n === name);
  }

  onChanged(listener: (name: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Several servers: this server's runner changes go to the others as 'runner-changed', and theirs are forgotten here. */
export function relayRunnerChanges(cache: RunnerCache, events: EventBus): () => void {
  const stopTelling = cache.onChanged((name) => events.emit('runner-changed', name));
  const heard = (name: string) => {
    if (events.relaying) cache.forget(name);
  };
  events.on('runner-changed', heard);
  return () => {
    stopTelling();
    events.off('runner-changed', heard);
  };
}
