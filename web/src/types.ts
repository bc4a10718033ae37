// The API's JSON as the app reads it (the fields it uses; the server's views are the source:
// src/server/run-view.ts, deployment-view.ts and the routes under src/server/routes).
export interface SessionUser {
  name: string;
  role: 'admin' | 'member';
}
export interface Session {
  user: SessionUser;
  csrf: string;
}
export type ProjectRole = 'viewer' | 'developer' | 'maintainer';
export interface Project {
  name: string;
  public: boolean;
  role?: ProjectRole | null;
  createdAt: string;
}
export interface Step {
  number: number;
  name: string;
  status: string;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface Job {
  id: string;
  key: string;
  name: string;
  needs: string[];
  status: string;
  reusedFrom: string | null;
  matrix: Record<string, unknown> | null;
  error: string | null;
  /** While queued with no online runner offering its labels: what it waits for. */
  waitingFor?: string | null;
  /** The environment whose approval gate the job waits (or waited) at. */
  gateEnvironment?: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  steps: Step[];
}
/** GET /api/runners (admins). */
export interface RunnerInfo {
  name: string;
  online: boolean;
  labels: string[];
  /** As an admin set it (slipway runners pause|drain|resume). */
  state: 'active' | 'paused' | 'draining';
  concurrency: number | null;
  version: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  jobs: { id: string; name: string; runId: string; project: string | undefined; runNumber: number; startedAt: string | null }[];
}
export interface Run {
  id: string;
  project: string;
  number: number;
  workflow: string;
  name: string;
  title: string;
  event: string;
  ref: string;
  sha: string;
  status: string;
  error: string | null;
  attempt: number;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  jobs: Job[];
  releases: { id: string; image: string; digest: string }[];
}
export interface PlanJob {
  key: string;
  jobId: string;
  name: string;
  needs: string[];
  matrix: Record<string, unknown> | null;
}
export interface Plan {
  run: string;
  attempt: number;
  jobs: PlanJob[];
}
export interface Annotation {
  job: string;
  step: number;
  level: 'error' | 'warning' | 'notice';
  message: string;
  title: string | null;
  file: string | null;
  line: number | null;
}
export interface Artifact {
  name: string;
  size: number;
}
export interface Release {
  id: string;
  sha: string;
  ref: string;
  image: string;
  digest: string;
  createdAt: string;
}
export interface Approval {
  user: string;
  decision: 'approve' | 'reject';
  reason: string | null;
  at: string;
}
/** A gate's decisions and, while its environment is gated, how far it got. */
export interface GateProgress {
  approvals: Approval[];
  approval: { required: number; approved: number; waitUntil: string | null } | null;
}
export interface Deployment extends GateProgress {
  id: string;
  project: string;
  number: number;
  environment: string;
  status: string;
  error: string | null;
  trigger: string;
  triggeredBy: string | null;
  release: { id: string; sha: string; image: string; digest: string } | null;
  hosts: { host: string; status: string; error: string | null; startedAt: string | null; finishedAt: string | null }[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface EnvironmentState {
  environment: string;
  release: string | null;
  container: string | null;
  url: string | null;
  updatedAt: string;
}
/** Where an environment's protection comes from (src/deploy/config/protected-rules.ts). */
export type RulesSource = { kind: 'server'; updatedBy: string; updatedAt: string } | { kind: 'default-branch'; ref: string; sha: string };
export interface EnvironmentRules {
  name: string;
  source: RulesSource;
  rules: Record<string, unknown> & { approval?: { required?: number; not_author?: boolean; approvers?: string[]; wait?: string }; promote_from?: string; strategy?: string; hosts?: string[]; branches?: string[] };
}
export interface Member {
  user: string;
  role: ProjectRole;
}
export interface Metrics {
  project: string;
  environment: string;
  days: number;
  deployment_frequency: { total: number; per_week: number };
  lead_time_seconds: { median: number | null; p90: number | null };
  change_failure_rate: number | null;
  time_to_restore_seconds: { median: number | null };
  series: { date: string; deployments: number; failures: number; lead_time_seconds_median: number | null }[];
}
