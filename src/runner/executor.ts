// Executors run a job's `run:` steps: on the host (shell) or inside a container.
// Implementations live in executors/<kind>/; only runner code chooses one.
import type { OutputSink } from '../core/types.ts';

export interface StepCommand {
  /** The step's `run:` script, already interpolated. */
  script: string;
  /** `bash` (default when available), `sh`, or a custom template containing `{0}`. */
  shell?: string;
  env: Record<string, string>;
  /** Working directory (absolute; the workspace or a directory under it). */
  cwd: string;
  /** Kill the step's whole process tree after this long. */
  timeoutMs?: number;
  /** Aborting kills the step's whole process tree (run cancelled). */
  signal?: AbortSignal;
  onOutput: OutputSink;
}

export interface StepOutcome {
  exitCode: number;
  timedOut: boolean;
  cancelled: boolean;
}

export interface JobContainer {
  image: string;
  env: Record<string, string>;
  options?: string;
}

export interface Executor {
  readonly kind: 'shell' | 'container';
  /** Prepare for the job (the container executor starts its job container here). */
  start(): Promise<void>;
  run(command: StepCommand): Promise<StepOutcome>;
  /** Release everything the job held (stop and remove the container). Idempotent. */
  stop(): Promise<void>;
}
