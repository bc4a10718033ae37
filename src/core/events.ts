// Event bus: log chunks and status changes, for live streams (SSE), runners' long-polls and
// the reactions that follow a run (deploy after success). On one server it is only this
// process's EventEmitter; with several servers on one PostgreSQL a bridge
// (src/store/postgres/event-bridge.ts) sends what this process emits to the others and
// re-emits what they send with `emitRelayed`.
import { EventEmitter } from 'node:events';
import type { RunStatus } from './types.ts';

export interface SlipwayEvents {
  log: [stream: string, seq: number, text: string];
  'stream-end': [stream: string];
  'run-updated': [runId: string];
  /** A job started, moved to its next step, or finished (the web UI's live job view). */
  'job-updated': [jobId: string, runId: string];
  'release-created': [releaseId: string];
  'run-finished': [runId: string];
  'deployment-updated': [deploymentId: string];
  /** New claimable work: runners waiting in a long-poll wake up. */
  'jobs-available': [];
  'job-cancel': [jobId: string];
  /** A runner's credential or state changed (revoked, registered, paused, removed): servers forget what they kept of it. */
  'runner-changed': [name: string];
  /**
   * A runner's claim started an attempt of a job, `queueSeconds` after it became runnable
   * (created, or its last need finished): the scheduler's facts, so observers (metrics) read
   * nothing. This process only: never relayed.
   */
  'job-started': [jobId: string, runId: string, queueSeconds: number];
  /** An attempt that had started ended with `status` after `seconds` (as 'job-started': never relayed). */
  'job-ended': [jobId: string, runId: string, status: RunStatus, seconds: number];
}

export type SlipwayEventName = keyof SlipwayEvents;

/** Whether other servers hear an event (the bridge relays it) or only this process does. */
const everyEvent: Record<SlipwayEventName, 'relayed' | 'local'> = {
  log: 'relayed', 'stream-end': 'relayed', 'run-updated': 'relayed', 'job-updated': 'relayed', 'release-created': 'relayed', 'run-finished': 'relayed',
  'deployment-updated': 'relayed', 'jobs-available': 'relayed', 'job-cancel': 'relayed', 'runner-changed': 'relayed',
  'job-started': 'local', 'job-ended': 'local',
};
/** Every event name (the record above fails to compile when one is missing). */
export const slipwayEventNames = Object.keys(everyEvent) as SlipwayEventName[];
/** The events the bridge sends to other servers: those whose listeners elsewhere follow them (SSE, runners' waits). */
export const relayedEventNames = slipwayEventNames.filter((name) => everyEvent[name] === 'relayed');

export class EventBus extends EventEmitter<SlipwayEvents> {
  #relaying = false;

  constructor() {
    super();
    // Every open log stream adds a listener; the default cap of 10 is a false alarm here.
    this.setMaxListeners(0);
  }

  /** True while listeners are called for an event another server emitted (see `onLocal`). */
  get relaying(): boolean {
    return this.#relaying;
  }

  /** Emits an event another server emitted: followers (SSE, runners' waits) hear it, `onLocal` listeners do not. */
  emitRelayed<K extends SlipwayEventName>(name: K, ...args: SlipwayEvents[K]): void {
    this.#relaying = true;
    try {
      (this.emit as (n: K, ...a: SlipwayEvents[K]) => boolean)(name, ...args);
    } finally {
      this.#relaying = false;
    }
  }

  /**
   * Listens only to what this process emitted: reactions that must happen once per event
   * across all servers (deploy after a run, commit statuses, metrics, the state log) run
   * where the change was made, never again on every server that hears of it.
   */
  onLocal<K extends SlipwayEventName>(name: K, listener: (...args: SlipwayEvents[K]) => void): () => void {
    const wrapped = (...args: SlipwayEvents[K]) => {
      if (!this.#relaying) listener(...args);
    };
    (this.on as (n: K, l: (...a: SlipwayEvents[K]) => void) => this)(name, wrapped);
    return () => (this.off as (n: K, l: (...a: SlipwayEvents[K]) => void) => this)(name, wrapped);
  }
}
