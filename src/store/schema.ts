// Table types for Kysely. Times are ISO-8601 strings (UTC): portable across SQLite and
// PostgreSQL and sortable as text. JSON columns hold text, parsed by the repositories.
import type { Generated } from 'kysely';
import type { DeploymentStatus, RunStatus } from '../core/types.ts';

export interface UsersTable {
  id: string;
  name: string;
  role: 'admin' | 'member';
  created_at: string;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  /** sha256 of the token; the token itself is never stored. */
  hash: string;
  created_at: string;
  /** What the token may do of what its user may (0009): read ⊂ write ⊂ admin. */
  scope: 'read' | 'write' | 'admin';
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface ProjectsTable {
  id: string;
  name: string;
  created_at: string;
  /** 1: anyone may clone, pull images and read runs and releases (migration 0007). */
  public: Generated<number>;
}

export interface RunsTable {
  id: string;
  project_id: string;
  number: number;
  workflow: string;
  name: string;
  event: string;
  ref: string;
  sha: string;
  status: RunStatus;
  /** Why a run failed before any job ran (invalid workflow), formatted diagnostics. */
  error: string | null;
  plan: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Re-runs make new attempts of the same run (0003). */
  attempt: number;
  /** `run-name` evaluated when the run started; null = the workflow's name. */
  title: string | null;
  /** `github.event` of the trigger, JSON. */
  event_payload: string | null;
  /** Typed `inputs` (workflow_dispatch), JSON. */
  inputs: string | null;
  /** Workflow-level concurrency group (evaluated) and whether the run holds it or waits. */
  concurrency_group: string | null;
  concurrency_state: 'pending' | 'admitted' | null;
  cancel_requested: number;
  /** The push event that started the run (0006); null for other triggers. */
  push_event_id: string | null;
  /** GITHUB_RUN_ID: numeric, unique in the installation (0022). */
  github_run_id: number;
  /** GITHUB_RUN_NUMBER: counts the runs of this workflow file in the project (0022). */
  workflow_number: number;
  /** What the trigger knew for the `github` context (actor, ref protection), JSON (0022). */
  github_trigger: string | null;
}

export interface JobsTable {
  id: string;
  run_id: string;
  key: string;
  /** Order in the plan (topological), for display. */
  position: number;
  name: string;
  /** JSON array of job keys this job waits for. */
  needs: string;
  runs_on: string;
  status: RunStatus;
  runner: string | null;
  lease_expires_at: string | null;
  attempt: number;
  error: string | null;
  outputs: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The run attempt this row belongs to; every attempt has its own rows (0003). */
  run_attempt: number;
  /** The job's id under `jobs:` (for a matrix leg, the job it is a leg of). */
  job_id: string | null;
  /** This leg's matrix values, JSON. */
  matrix: string | null;
  /** 1 while the job's matrix is an expression over `needs` not yet expanded into legs. */
  deferred_matrix: number;
  /** For a job of a called reusable workflow: that workflow's path, and the calling job's id. */
  called_workflow: string | null;
  caller: string | null;
  concurrency_group: string | null;
  concurrency_state: 'pending' | 'admitted' | null;
  cancel_requested: number;
  /** A job a partial re-run kept: the job row (earlier attempt) whose result, steps and logs it shows. */
  reused_from: string | null;
  /** When the job first waited at its environment's approval gate (0018): the wait timer counts from here. */
  waiting_since: string | null;
  /** The environment (evaluated `environment:`) whose gate the job waits or waited at (0018). */
  gate_environment: string | null;
  /** While no online runner offers the job's labels: since when (runner.queueTimeout counts from it), and what it waits for (0017). */
  runner_wait_since: string | null;
  runner_wait: string | null;
  /** When every need of the job was seen finished (0029; null until then): the claim's query reads only these queued jobs. */
  ready_at: string | null;
}

/** A runner that claimed work or heartbeated (0017); online while seen within a lease. */
export interface RunnersTable {
  name: string;
  /** JSON array of the labels it offers. */
  labels: string;
  first_seen_at: string;
  last_seen_at: string;
  /** As an admin set it (0026): active, paused (claims answer empty) or draining (and a remote runner exits once idle). */
  state: Generated<string>;
  /** What the runner said when it connected (0026): jobs it runs at once, its Slipway version. */
  concurrency: number | null;
  version: string | null;
}

/** What a remote `uses:` of a run resolved to (0021); `job_id` '' for the planner's. */
export interface RunActionsTable {
  run_id: string;
  job_id: string;
  uses: string;
  sha: string;
  source: string;
  resolved_at: string;
}

export interface StepsTable {
  id: string;
  job_id: string;
  /** The job attempt the step ran in (0011). */
  attempt: number;
  number: number;
  name: string;
  status: RunStatus;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
}

/** A job attempt that ended without the job ending (0011): the job ran again as the next attempt, or failed. */
export interface JobAttemptsTable {
  job_id: string;
  attempt: number;
  status: 'interrupted';
  /** Why, as the marker line at the end of its log says. */
  reason: string;
  started_at: string | null;
  finished_at: string;
}

/** A stream's log moved into the object store (0025; repos/log-archive.ts). */
interface LogArchivesTable {
  stream: string;
  /** The object: `logs/<stream>/<last_seq>.ndjson`, one JSON chunk per line. */
  key: string;
  /** The highest seq in the object; rows of the stream up to it were deleted. */
  last_seq: number;
  chunks: number;
  /** The object's size; a string from PostgreSQL's bigint. */
  bytes: number | string;
  /** JSON `[[seq, byteOffset], …]`: where some chunks start, at least every 64 KiB. */
  offsets: string;
  archived_at: string;
}

interface LogChunksTable {
  id: Generated<number>;
  /** `job:<id>` or `deployment:<id>`. */
  stream: string;
  seq: number;
  text: string;
  created_at: string;
}

export interface ReleasesTable {
  id: string;
  project_id: string;
  run_id: string;
  sha: string;
  ref: string;
  /** Repository in the registry, e.g. `hello/hello`. */
  image: string;
  digest: string;
  created_at: string;
}

export interface DeploymentsTable {
  id: string;
  project_id: string;
  number: number;
  environment: string;
  release_id: string;
  trigger: string;
  triggered_by: string;
  status: DeploymentStatus;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The newer release that made this automatic deployment `superseded` (0013); null otherwise. */
  superseded_by: string | null;
}

/** What serves each environment now; lets a restarted server re-attach its proxy. */
export interface EnvironmentStateTable {
  project_id: string;
  environment: string;
  release_id: string;
  container: string;
  host_port: number;
  publish: number | null;
  updated_at: string;
}

/** `::error|warning|notice …::` lines of a job's steps (0002-run-outputs). */
export interface AnnotationsTable {
  id: Generated<number>;
  run_id: string;
  job_id: string;
  step_number: number | null;
  level: 'error' | 'warning' | 'notice';
  message: string;
  title: string | null;
  file: string | null;
  line: number | null;
  end_line: number | null;
  col: number | null;
  end_column: number | null;
  created_at: string;
}

/** Markdown a step wrote to $GITHUB_STEP_SUMMARY. */
export interface StepSummariesTable {
  job_id: string;
  step_number: number;
  run_id: string;
  markdown: string;
  created_at: string;
}

/** actions/upload-artifact: a tar.gz in the data dir, unique by name per run. */
export interface ArtifactsTable {
  id: string;
  run_id: string;
  job_id: string;
  name: string;
  size: number;
  /** Relative to the data dir. */
  path: string;
  created_at: string;
}

/** actions/cache: a tar.gz in the data dir, unique by key per project, immutable. */
export interface CachesTable {
  id: string;
  project_id: string;
  key: string;
  size: number;
  /** Relative to the data dir. */
  path: string;
  created_at: string;
  last_used_at: string;
}

/** One deployment at a time per environment, across processes (0004-deploy-control). */
export interface EnvironmentLocksTable {
  project_id: string;
  environment: string;
  /** `<hostname>:<pid>:<random>` of the deploy service holding it. */
  holder: string;
  deployment_id: string;
  acquired_at: string;
  /** Renewed while deploying; an expired lease may be taken over. */
  lease_expires_at: string;
}

/** Per-environment secrets; `ciphertext` is AES-256-GCM (src/auth/secrets.ts), never plaintext. */
export interface SecretsTable {
  project_id: string;
  environment: string;
  name: string;
  ciphertext: string;
  created_at: string;
  updated_at: string;
}

/** Host keys pinned on first contact (0005): a different key later is refused. */
export interface KnownHostsTable {
  /** `host:port`. */
  address: string;
  key_type: string;
  /** `SHA256:<base64>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** The key blob, base64. */
  public_key: string;
  first_seen_at: string;
}

/** A deployment's outcome on each of its hosts (0005). */
export interface DeploymentHostsTable {
  deployment_id: string;
  /** As in deploy.yml: `local` or `ssh://user@host[:port]`. */
  host: string;
  /** Order in deploy.yml. */
  position: number;
  status: 'pending' | 'running' | 'success' | 'failure' | 'rolled_back' | 'skipped';
  error: string | null;
  container: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** Approvals and rejections of a gated deployment (0005); one decision per user. */
/** A decision on a deployment or (0018) on a gated job: exactly one of the two ids is set. */
export interface ApprovalsTable {
  deployment_id: string | null;
  job_id: string | null;
  user_id: string;
  user_name: string;
  decision: 'approve' | 'reject';
  reason: string | null;
  created_at: string;
}

/** A ref update git accepted (0006), recorded before the push is acknowledged. */
export interface PushEventsTable {
  id: string;
  project: string;
  ref: string;
  before: string;
  after: string;
  pusher: string;
  received_at: string;
  /** When its runs were started; null while pending. */
  processed_at: string | null;
}

/** The value of each ref as last recorded (0006): start-up compares it with the repositories. */
interface RefHeadsTable {
  project: string;
  ref: string;
  sha: string;
}

/** A job's or a deployment's own token (0009): never a user, valid while its job runs or its deployment lasts. */
/** A remote runner's credential (0023): reaches /api/runner/… only; stored as its hash. */
export interface RunnerCredentialsTable {
  id: string;
  /** The runner's name: what it claims jobs as. */
  name: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A registration token (0023): an admin's, good only for turning into a runner credential. */
export interface RunnerRegistrationTokensTable {
  id: string;
  hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface GrantTokensTable {
  id: string;
  hash: string;
  kind: 'job' | 'deploy';
  project_id: string;
  run_id: string | null;
  job_id: string | null;
  /** The job's attempt it was made for: a re-queued job's older token stops working. */
  job_attempt: number | null;
  deployment_id: string | null;
  /** For a deploy token: the one repository it may pull. */
  repository: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** Security-relevant actions (0009): who did what, to what, from where. */
export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  project: string | null;
  target: string | null;
  address: string | null;
  /** JSON object. */
  detail: string;
}

/** A user's password (0012), apart from `users` so a user row never carries it. */
interface UserPasswordsTable {
  user_id: string;
  /** `scrypt$N$r$p$salt$hash`, base64url parts (src/auth/passwords.ts). */
  hash: string;
  updated_at: string;
}

/** A browser session (0012): the cookie holds its id, the table only the id's sha256. */
export interface SessionsTable {
  id: string;
  hash: string;
  user_id: string;
  /** Sent back in X-CSRF-Token on every state-changing request the cookie authenticates. */
  csrf: string;
  scope: 'read' | 'write' | 'admin';
  /** The user token it was opened with, if any: the session holds only while that token does. */
  token_id: string | null;
  created_at: string;
  /** The absolute end; an idle session ends earlier (src/auth/sessions.ts). */
  expires_at: string;
  last_seen_at: string;
}

interface MetaTable {
  key: string;
  value: string;
}

/** Branch protection rules (0008): force-push and deletion refused, pushes only by `push_roles`. */
interface ProtectedBranchesTable {
  project: string;
  /** A GitHub filter pattern over branch names (src/workflow/glob.ts), e.g. `main`, `release/*`. */
  pattern: string;
  /** JSON array of the project roles (besides admin) that may push. */
  push_roles: string;
  allow_force_push: number;
  created_by: string;
  created_at: string;
}

/** Projects whose rules a maintainer has set (0008); the others get the default rule. */
interface ProtectedBranchProjectsTable {
  project: string;
  customized_by: string;
  customized_at: string;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  projects: ProjectsTable;
  runs: RunsTable;
  jobs: JobsTable;
  steps: StepsTable;
  job_attempts: JobAttemptsTable;
  log_chunks: LogChunksTable;
  log_archives: LogArchivesTable;
  releases: ReleasesTable;
  deployments: DeploymentsTable;
  environment_state: EnvironmentStateTable;
  annotations: AnnotationsTable;
  step_summaries: StepSummariesTable;
  artifacts: ArtifactsTable;
  caches: CachesTable;
  environment_locks: EnvironmentLocksTable;
  secrets: SecretsTable;
  known_hosts: KnownHostsTable;
  deployment_hosts: DeploymentHostsTable;
  approvals: ApprovalsTable;
  push_events: PushEventsTable;
  ref_heads: RefHeadsTable;
  meta: MetaTable;
  protected_branches: ProtectedBranchesTable;
  protected_branch_projects: ProtectedBranchProjectsTable;
  project_members: ProjectMembersTable;
  grant_tokens: GrantTokensTable;
  audit_log: AuditLogTable;
  environment_rules: EnvironmentRulesTable;
  user_passwords: UserPasswordsTable;
  sessions: SessionsTable;
  forge_links: ForgeLinksTable;
  forge_deliveries: ForgeDeliveriesTable;
  notification_hooks: NotificationHooksTable;
  outgoing_deliveries: OutgoingDeliveriesTable;
  runners: RunnersTable;
  run_actions: RunActionsTable;
  runner_credentials: RunnerCredentialsTable;
  runner_registration_tokens: RunnerRegistrationTokensTable;
  schedule_fires: ScheduleFiresTable;
  servers: ServersTable;
  registry_digest_holds: RegistryDigestHoldsTable;
  registry_digest_uses: RegistryDigestUsesTable;
  registry_digest_deletions: RegistryDigestDeletionsTable;
  installation_settings: InstallationSettingsTable;
}

/** A fact of the installation every server checks itself against (0024). */
export interface InstallationSettingsTable {
  key: string;
  value: string;
}

/** A scheduled workflow's minute, fired by the server that inserted it (0024). */
export interface ScheduleFiresTable {
  project: string;
  /** The workflow file's path. */
  workflow: string;
  /** The minute, ISO (`2030-01-01T03:00:00.000Z`). */
  minute: string;
  /** The server that fired it (servers.id). */
  server: string;
}

/** A live server (0024): renewed every few seconds while it runs. */
export interface ServersTable {
  id: string;
  host: string;
  pid: number;
  url: string;
  started_at: string;
  seen_at: string;
}

/** A digest a registry request holds (0024), until it ends or `expires_at` (a server that died). */
export interface RegistryDigestHoldsTable {
  id: string;
  digest: string;
  expires_at: string;
}

export interface RegistryDigestUsesTable {
  digest: string;
  used_at: string;
}

export interface RegistryDigestDeletionsTable {
  digest: string;
  started_at: string;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: 'maintainer' | 'developer' | 'viewer';
  created_at: string;
  updated_at: string;
}

/** An environment's protection as a maintainer set it on the server (0010); JSON in `rules`. */
interface EnvironmentRulesTable {
  project_id: string;
  environment: string;
  rules: string;
  updated_by: string;
  updated_at: string;
}

/** The forge a project mirrors (0016); `secret` and `token` are ciphertext (src/triggers/forge/forge-links.ts). */
export interface ForgeLinksTable {
  project_id: string;
  kind: 'github' | 'gitlab' | 'gitea';
  url: string;
  /** The forge's API base when it cannot be told from `url` (a GitLab under a path); null: derived. */
  api_url: string | null;
  secret: string;
  token: string | null;
  updated_by: string;
  updated_at: string;
}

/** A webhook delivery id seen once per project (0016); `push_event_id` null for events that record none. */
export interface ForgeDeliveriesTable {
  project_id: string;
  delivery_id: string;
  event: string;
  push_event_id: string | null;
  received_at: string;
}

/** An outgoing webhook of a project (0016); `secret` is ciphertext, the HMAC key of its signature header. */
export interface NotificationHooksTable {
  id: string;
  project_id: string;
  kind: 'json' | 'slack';
  url: string;
  secret: string;
  created_by: string;
  created_at: string;
}

/** One commit status or notification sent out (0016), with its retries' outcome. */
export interface OutgoingDeliveriesTable {
  id: string;
  project_id: string;
  /** `status` (to the forge) or the notification hook's id. */
  target: string;
  url: string;
  /** What it is about: `run <id>` or `deployment <id>`. */
  subject: string;
  /** The state reported: pending, success, failure, error. */
  state: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  response_code: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}
