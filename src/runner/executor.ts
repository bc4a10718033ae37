// An executor owns a job's whole environment (Woodpecker's backend interface: set up the
// workflow, run steps, destroy it): the job's network and service containers, the job
// container when there is one, `run:` steps, `docker://` steps, and the teardown of all of
// it. Implementations live in executors/<kind>/; only runner code chooses one, so an
// isolated or remote executor is one more folder.
import type { OutputSink } from '../core/types.ts';
import type { ContainerSpec, ServiceSpec } from '../workflow/model.ts';

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

/** A step that runs an image (`uses: docker://…`) beside the job, on the job's network. */
export interface ContainerStep {
  image: string;
  /** Passed by name (`-e NAME`), never on the command line. */
  env: Record<string, string>;
  /** `host:container` bind mounts. */
  volumes: string[];
  workdir: string;
  /** Replaces the image's entrypoint when set. */
  entrypoint?: string;
  args: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput: OutputSink;
}

export interface StepOutcome {
  exitCode: number;
  timedOut: boolean;
  cancelled: boolean;
}

/** The job container: a `runs-on` image (image and env only) or the job's `container:`. */
export type JobContainer = ContainerSpec;

/** What a job needs set up before its first step. */
export interface JobSetup {
  /** The job's id: names its network and containers, and labels them. */
  jobId: string;
  workspace: string;
  /** `host:path` mounts the job container needs at the same path (file-command files, RUNNER_TEMP). */
  volumes: string[];
  services: Record<string, ServiceSpec>;
  /**
   * The job's `container:` with its expressions evaluated (image, env, credentials); a
   * container executor made for that container runs this one instead.
   */
  container?: ContainerSpec;
  /** Receives pulls and service start-up messages. */
  onOutput: OutputSink;
  /** Aborting stops waiting for services to become healthy. */
  signal?: AbortSignal;
  /** The Slipway server as the runner reaches it; the executor makes it reachable from the job. */
  serverUrl?: string;
}

/** A service as steps reach it (`job.services.<id>`). */
export interface ServiceContext {
  id: string;
  network: string;
  /** Container port → host port, as `job.services.<id>.ports['5432']`. */
  ports: Record<string, string>;
}

/** What setup made, for the `job` context. */
export interface JobEnvironment {
  /** The job's network ('' when the job has no services). */
  network: string;
  /** `job.services`. */
  services: Record<string, ServiceContext>;
  /**
   * The server as steps reach it (`github.server_url`): a forwarder on the job network's
   * gateway for a job container, the runner's own URL on the host. Undefined: the runner's.
   */
  serverUrl?: string;
}

export interface Executor {
  readonly kind: 'shell' | 'container';
  /** Prepares the job's environment: network and services, then the job container if any. */
  setup(job: JobSetup): Promise<JobEnvironment>;
  run(command: StepCommand): Promise<StepOutcome>;
  runContainer(step: ContainerStep): Promise<StepOutcome>;
  /** Releases everything the job held, whatever setup got to. Idempotent. */
  teardown(): Promise<void>;
}
