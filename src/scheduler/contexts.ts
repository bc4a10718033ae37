// Expression contexts the scheduler evaluates on the server side: concurrency groups,
// deferred matrices, a called workflow's `with` and `outputs`, `run-name`. Contexts follow
// docs.github.com "Contexts"; what only a runner knows (steps, runner, env) is empty here.
import { createHash } from 'node:crypto';
import type { Job, Run } from '../store/repos/runs.ts';
import type { RunStatus } from '../core/types.ts';
import { jobIdOf } from './job-spec.ts';
import { evaluate, interpolate, soleExpression, type ExpressionContext } from '../workflow/expressions/index.ts';

export type NeedsContext = Record<string, { result: RunStatus; outputs: Record<string, string> }>;

/** Every named value an expression may use, empty unless given. */
export function contextValues(values: Record<string, unknown>): ExpressionContext {
  const base = { github: {}, env: {}, vars: {}, job: {}, jobs: {}, steps: {}, runner: {}, secrets: {}, strategy: {}, matrix: {}, needs: {}, inputs: {} };
  return { values: { ...base, ...values } };
}

/**
 * What the trigger knew that GitHub's `github` context carries beside the event payload
 * (stored with the run, migration 0022): who started it and whether the ref is protected.
 */
export interface TriggerFacts {
  /** GITHUB_ACTOR: the pusher, the dispatcher, or `slipway` for the clock. */
  actor: string;
  /** GITHUB_TRIGGERING_ACTOR: the same, except for a re-run (the user who re-ran it). */
  triggeringActor?: string;
  refProtected: boolean;
}

/** `owner` of GITHUB_REPOSITORY (`owner/name`): Slipway's projects have one-level names, all under this owner. */
export const repositoryOwner = 'slipway';

/** The project a `github.repository` (`slipway/<project>`) names. */
export function projectOfRepository(repository: string): string {
  return repository.slice(repository.indexOf('/') + 1);
}

/**
 * GitHub's numeric ids (GITHUB_REPOSITORY_ID, _OWNER_ID, GITHUB_ACTOR_ID) for Slipway's text
 * ids and names: the first 48 bits of their SHA-256, stable across restarts and installations'
 * copies of the same database, and a safe integer in JSON.
 */
export function numericId(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}

/** The `github` context as the server knows it (docs.github.com "Contexts" §github context). */
// A type, not an interface: it is passed where any context record is expected.
export type GithubContext = {
  event_name: string;
  event: Record<string, unknown>;
  ref: string;
  ref_name: string;
  ref_type: 'tag' | 'branch';
  ref_protected: boolean;
  /** Pull requests only; Slipway hosts none, so always empty (as GitHub for other events). */
  head_ref: string;
  base_ref: string;
  sha: string;
  repository: string;
  repository_id: string;
  repository_owner: string;
  repository_owner_id: string;
  /** Numeric, unique in the installation (docs: "a unique number for each workflow run"). */
  run_id: string;
  /** Counts the runs of this workflow. */
  run_number: string;
  run_attempt: string;
  workflow: string;
  /** `owner/name/<workflow file>@<ref>`; for a called reusable workflow still the caller's (as GitHub). */
  workflow_ref: string;
  workflow_sha: string;
  actor: string;
  actor_id: string;
  triggering_actor: string;
  retention_days: string;
  secret_source: 'Actions';
  /** The job's id under `jobs:` (a matrix leg's is the job it is a leg of); absent before a job exists. */
  job?: string;
};

type RunFields = Pick<Run, 'id' | 'project_id' | 'number' | 'github_run_id' | 'workflow_number' | 'workflow' | 'event' | 'ref' | 'sha' | 'name' | 'event_payload' | 'github_trigger'> & { attempt?: number };

/** How long logs and artifacts are kept, as GITHUB_RETENTION_DAYS says (GitHub's default). */
const retentionDays = '90';

/**
 * `github` for a run (no workspace: the runner adds what only it knows), and for one of its
 * jobs when `job` is given. The one place `github.job` is decided: `jobIdOf`.
 */
export function githubContext(run: RunFields, project: string): GithubContext;
export function githubContext(run: RunFields, project: string, job: Pick<Job, 'job_id' | 'key'>): GithubContext & { job: string };
export function githubContext(run: RunFields, project: string, job?: Pick<Job, 'job_id' | 'key'>): GithubContext {
  const facts: Partial<TriggerFacts> = run.github_trigger ? (JSON.parse(run.github_trigger) as TriggerFacts) : {};
  const actor = facts.actor ?? 'slipway';
  const repository = `${repositoryOwner}/${project}`;
  return {
    event_name: run.event,
    event: run.event_payload ? (JSON.parse(run.event_payload) as Record<string, unknown>) : {},
    ref: run.ref,
    ref_name: run.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    ref_protected: facts.refProtected ?? false,
    head_ref: '',
    base_ref: '',
    sha: run.sha,
    repository,
    repository_id: String(numericId(run.project_id)),
    repository_owner: repositoryOwner,
    repository_owner_id: String(numericId(repositoryOwner)),
    run_id: String(run.github_run_id),
    run_number: String(run.workflow_number),
    run_attempt: String(run.attempt ?? 1),
    workflow: run.name,
    workflow_ref: `${repository}/${run.workflow}@${run.ref}`,
    workflow_sha: run.sha,
    actor,
    actor_id: String(numericId(actor)),
    triggering_actor: facts.triggeringActor ?? actor,
    retention_days: retentionDays,
    secret_source: 'Actions',
    ...(job ? { job: jobIdOf(job) } : {}),
  };
}

/**
 * A template's value: a sole `${{ x }}` keeps x's type (a matrix, a boolean), anything
 * else is interpolated into a string.
 */
export function evaluateTemplate(text: string, context: ExpressionContext): unknown {
  const sole = text.includes('${{') ? soleExpression(text) : undefined;
  return sole !== undefined ? evaluate(sole, context) : interpolate(text, context);
}

/**
 * Results of jobs keyed by job id, legs of a matrix folded into one (docs "needs context":
 * a matrix job's result is failure if any leg failed; outputs are those of the legs, later
 * legs overriding earlier ones).
 */
export function foldResults(jobs: Job[]): NeedsContext {
  const out: NeedsContext = {};
  const byId = new Map<string, Job[]>();
  for (const j of jobs) {
    const id = jobIdOf(j);
    byId.set(id, [...(byId.get(id) ?? []), j]);
  }
  for (const [id, legs] of byId) {
    const sorted = [...legs].sort((a, b) => (a.finished_at ?? '').localeCompare(b.finished_at ?? ''));
    const outputs: Record<string, string> = {};
    for (const l of sorted) Object.assign(outputs, l.outputs ? (JSON.parse(l.outputs) as Record<string, string>) : {});
    out[id] = { result: foldStatus(legs.map((l) => l.status)), outputs };
  }
  return out;
}

export function foldStatus(statuses: RunStatus[]): RunStatus {
  if (statuses.includes('failure')) return 'failure';
  if (statuses.includes('cancelled')) return 'cancelled';
  if (statuses.length > 0 && statuses.every((s) => s === 'skipped')) return 'skipped';
  return 'success';
}
