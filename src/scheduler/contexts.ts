// Expression contexts the scheduler evaluates on the server side: concurrency groups,
// deferred matrices, a called workflow's `with` and `outputs`, `run-name`. Contexts follow
// docs.github.com "Contexts"; what only a runner knows (steps, runner, env) is empty here.
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

/** The `github` context as the server knows it (docs.github.com "Contexts" §github context). */
// A type, not an interface: it is passed where any context record is expected.
export type GithubContext = {
  event_name: string;
  event: Record<string, unknown>;
  ref: string;
  ref_name: string;
  ref_type: 'tag' | 'branch';
  sha: string;
  repository: string;
  repository_owner: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  workflow: string;
  actor: string;
  /** The job's id under `jobs:` (a matrix leg's is the job it is a leg of); absent before a job exists. */
  job?: string;
};

type RunFields = Pick<Run, 'id' | 'number' | 'event' | 'ref' | 'sha' | 'name' | 'event_payload'> & { attempt?: number };

/**
 * `github` for a run (no workspace: the runner adds what only it knows), and for one of its
 * jobs when `job` is given. The one place `github.job` is decided: `jobIdOf`.
 */
export function githubContext(run: RunFields, project: string): GithubContext;
export function githubContext(run: RunFields, project: string, job: Pick<Job, 'job_id' | 'key'>): GithubContext & { job: string };
export function githubContext(run: RunFields, project: string, job?: Pick<Job, 'job_id' | 'key'>): GithubContext {
  return {
    event_name: run.event,
    event: run.event_payload ? (JSON.parse(run.event_payload) as Record<string, unknown>) : {},
    ref: run.ref,
    ref_name: run.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: run.sha,
    repository: project,
    repository_owner: project,
    run_id: run.id,
    run_number: String(run.number),
    run_attempt: String(run.attempt ?? 1),
    workflow: run.name,
    actor: 'slipway',
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
