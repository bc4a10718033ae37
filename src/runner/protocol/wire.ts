// The job a runner is given, as plain values: what the runner reads and nothing of the
// store's rows, so the in-process and the HTTP transport carry the same thing (Woodpecker's
// `rpc/peer.go` keeps its agents as ignorant of the database).
import type { JobSpec, Workflow } from '../../workflow/model.ts';
import type { GithubContext, NeedsContext } from '../../scheduler/contexts.ts';

/** The expression contexts the server evaluated for the job (docs.github.com "Contexts"). */
interface ClaimedJobContexts {
  /** Without what only the runner knows (workspace, server URL, action path). */
  github: GithubContext & { job: string };
  needs: NeedsContext;
  /** Empty for a job without a matrix. */
  matrix: Record<string, unknown>;
  strategy: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** Names → values; the runner masks every value in logs. */
  secrets: Record<string, string>;
  vars: Record<string, string>;
}

export interface ClaimedJob {
  /** The job's id: what every RunnerApi call names. */
  id: string;
  runId: string;
  /** The project's name (image repositories are `<project>/<image>`). */
  project: string;
  sha: string;
  ref: string;
  /** The job's display name (`build (a, b)` for a matrix leg). */
  name: string;
  spec: JobSpec;
  workflow: Workflow;
  contexts: ClaimedJobContexts;
  /**
   * The job's own token: valid while this attempt of the job runs, for its project only
   * (fetch the repository, pull and push `<project>/*` images, the run's artifacts). It is
   * `github.token` and `secrets.GITHUB_TOKEN`; runner credentials never reach a step.
   */
  token: string;
}
