// The job a runner is given, as plain values: what the runner reads and nothing of the
// store's rows, so the in-process and the HTTP transport carry the same thing (Woodpecker's
// `rpc/peer.go` keeps its agents as ignorant of the database).
import type { JobSpec, Workflow } from '../../workflow/model.ts';
import type { JobClaim } from '../../scheduler/scheduler.ts';

/**
 * The expression contexts the server evaluated for the job (docs.github.com "Contexts"):
 * `github` without what only the runner knows (workspace, server URL, action path), and
 * `secrets` as names → values, which the runner masks in every log.
 */
type ClaimedJobContexts = Pick<JobClaim, 'github' | 'needs' | 'matrix' | 'strategy' | 'inputs' | 'secrets' | 'vars'>;

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
  /** The job's workflow (env, defaults, …) with this job's spec as its only job. */
  workflow: Workflow;
  contexts: ClaimedJobContexts;
  /** Lines the runner prints at the top of the job's log (e.g. environment secrets withheld until its gate). */
  notes?: string[];
  /**
   * The job's own token: valid while this attempt of the job runs, for its project only
   * (fetch the repository, pull and push `<project>/*` images, the run's artifacts). It is
   * `github.token` and `secrets.GITHUB_TOKEN`; runner credentials never reach a step.
   */
  token: string;
  /**
   * The sequence number the attempt's log continues from, as the claim found it (what
   * RunnerApi.nextLogSeq answers): one request less a job. Absent from older servers.
   */
  logSeq?: number;
}
