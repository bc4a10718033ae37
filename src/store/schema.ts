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
}

export interface ProjectsTable {
  id: string;
  name: string;
  created_at: string;
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
}

export interface StepsTable {
  id: string;
  job_id: string;
  number: number;
  name: string;
  status: RunStatus;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface LogChunksTable {
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

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  projects: ProjectsTable;
  runs: RunsTable;
  jobs: JobsTable;
  steps: StepsTable;
  log_chunks: LogChunksTable;
  releases: ReleasesTable;
  deployments: DeploymentsTable;
  environment_state: EnvironmentStateTable;
}
