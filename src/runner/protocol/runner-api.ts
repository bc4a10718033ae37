// What a runner needs from the server. The built-in runner gets an in-process
// implementation (src/runner/protocol/in-process.ts); remote runners (`slipway runner`)
// get the same calls over HTTP.
import type { ClaimedJob } from './wire.ts';
import type { RunStatus } from '../../core/types.ts';

/** Where the built-in registry is; a job signs in with its own token (ClaimedJob.token), never the runner's. */
export interface RegistryAccess {
  /** `host:port` of the built-in registry as container tools reach it. */
  host: string;
  insecure: boolean;
}

/** `::error file=…,line=…::message` and friends, shown on the run (GitHub "annotations"). */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  column?: number;
  endColumn?: number;
  /** 1-based number of the step that wrote it. */
  step?: number;
}

/** A remote action's commit, resolved by the server through its action sources (src/git/actions). */
export interface ResolvedActionTree {
  sha: string;
  /** The action source that had it (`instance`, `github`, …). */
  source: string;
  /**
   * The commit's whole tree, unpacked on this machine (read-only: copy it into the job). The
   * in-process transport hands the server's cache; the HTTP one downloads the tree by SHA
   * into the runner's own cache (http-action-trees.ts).
   */
  tree: string;
  /** Whether the tree was in this machine's cache already (over HTTP: nothing was downloaded). */
  cached: boolean;
}

/** A numbered chunk of a job's log (appendLog's arguments). */
export interface LogChunk {
  seq: number;
  text: string;
}

/** What a job's report carries besides its result. */
export interface CompletionExtras {
  /** The log's last chunk, stored (once per sequence number, as appendLog) before the result. */
  log?: LogChunk;
  /** Then claim the runner's next job with these labels. */
  next?: { labels: readonly string[] };
}

export interface RunnerApi {
  claim(labels: readonly string[]): Promise<ClaimedJob | undefined>;
  /** Resolves when new work may be available, or after `timeoutMs` (a long-poll). */
  waitForWork(timeoutMs: number, signal: AbortSignal): Promise<void>;
  heartbeat(jobId: string): Promise<boolean>;
  /** Sequence number to continue the log of the job's attempt from (each attempt has a log of its own). */
  nextLogSeq(jobId: string): Promise<number>;
  appendLog(jobId: string, seq: number, text: string): Promise<void>;
  /**
   * A step starts; answers its id (the same one for a retried call). `log`: a chunk of the job's
   * log written before the step, stored first (once per sequence number, as appendLog): the
   * output between two steps travels with the next one instead of in a request of its own.
   */
  startStep(jobId: string, number: number, name: string, log?: LogChunk): Promise<string>;
  finishStep(stepId: string, status: RunStatus, exitCode: number | null): Promise<void>;
  skipStep(jobId: string, number: number, name: string): Promise<void>;
  /**
   * Reports the job's result (final: a second completion changes nothing), after the log's
   * last chunk if `extras.log`. With `extras.next`, the same call then claims the runner's
   * next job with those labels, as claim() does: one round trip between two jobs instead of
   * three, and the runner that freed the slot is the first to look at the work its job's end
   * made runnable. Answers that job, or undefined.
   */
  completeJob(jobId: string, status: RunStatus, outputs: Record<string, string>, error?: string, extras?: CompletionExtras): Promise<ClaimedJob | undefined>;
  recordRelease(jobId: string, release: { image: string; digest: string }): Promise<{ id: string }>;
  /** Where to fetch the run's commit from, with credentials passed as an HTTP header. */
  source(jobId: string): Promise<{ url: string; authorization?: string }>;
  registry(): RegistryAccess;
  addAnnotation(jobId: string, annotation: Annotation): Promise<void>;
  /** Markdown a step wrote to $GITHUB_STEP_SUMMARY (step number is 1-based). */
  setStepSummary(jobId: string, stepNumber: number, markdown: string): Promise<void>;
  /** Stores a tar.gz of files as the run's artifact `name` (replacing none: names are unique per run). */
  uploadArtifact(jobId: string, name: string, archive: NodeJS.ReadableStream): Promise<{ size: number }>;
  /** The run's artifacts so far (download-artifact without a name takes them all). */
  listArtifacts(jobId: string): Promise<{ name: string; size: number }[]>;
  /** The archive of the run's artifact `name`, or undefined. */
  downloadArtifact(jobId: string, name: string): Promise<NodeJS.ReadableStream | undefined>;
  /** actions/cache: the archive for the first key (exact, then prefix) that exists, per project. */
  restoreCache(jobId: string, keys: string[]): Promise<{ key: string; archive: NodeJS.ReadableStream } | undefined>;
  saveCache(jobId: string, key: string, archive: NodeJS.ReadableStream): Promise<void>;
  /**
   * `uses: owner/repo[/path]@ref` of one of the job's steps, resolved with the rights of the
   * person who started the run and recorded on the run (ACTION_UNRESOLVED saying why not).
   */
  resolveAction(jobId: string, uses: string): Promise<ResolvedActionTree>;
  /** Calls `listener` if the job is cancelled; returns an unsubscribe function. */
  onCancel(jobId: string, listener: () => void): () => void;
}
