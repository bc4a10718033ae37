// In-process event bus: log chunks and status changes, for live streams (SSE) and the
// triggers that follow a run (deploy after success). One process for now; with several
// server replicas this becomes PostgreSQL LISTEN/NOTIFY behind the same interface.
import { EventEmitter } from 'node:events';

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
}

export class EventBus extends EventEmitter<SlipwayEvents> {
  constructor() {
    super();
    // Every open log stream adds a listener; the default cap of 10 is a false alarm here.
    this.setMaxListeners(0);
  }
}
