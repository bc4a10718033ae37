// What a runner needs from the server. The built-in runner gets an in-process
// implementation (src/server/in-process-runner-api.ts); remote runners (`slipway runner`)
// get the same calls over HTTP.
import type { ClaimedJob } from '../scheduler/scheduler.ts';
import type { RunStatus } from '../core/types.ts';

export interface RegistryAccess {
  /** `host:port` of the built-in registry as container tools reach it. */
  host: string;
  username: string;
  password: string;
  insecure: boolean;
}

export interface RunnerApi {
  claim(labels: readonly string[]): Promise<ClaimedJob | undefined>;
  /** Resolves when new work may be available, or after `timeoutMs` (a long-poll). */
  waitForWork(timeoutMs: number, signal: AbortSignal): Promise<void>;
  heartbeat(jobId: string): Promise<boolean>;
  /** Sequence number to continue the job's log from (a re-queued job keeps its earlier log). */
  nextLogSeq(jobId: string): Promise<number>;
  appendLog(jobId: string, seq: number, text: string): Promise<void>;
  startStep(jobId: string, number: number, name: string): Promise<string>;
  finishStep(stepId: string, status: RunStatus, exitCode: number | null): Promise<void>;
  skipStep(jobId: string, number: number, name: string): Promise<void>;
  completeJob(jobId: string, status: RunStatus, outputs: Record<string, string>, error?: string): Promise<void>;
  recordRelease(jobId: string, release: { image: string; digest: string }): Promise<{ id: string }>;
  /** Where to fetch the run's commit from, with credentials passed as an HTTP header. */
  source(jobId: string): Promise<{ url: string; authorization?: string }>;
  registry(): RegistryAccess;
  /** Calls `listener` if the job is cancelled; returns an unsubscribe function. */
  onCancel(jobId: string, listener: () => void): () => void;
}
