// Workflow → the jobs of one run, in an order where every job comes after what it needs.
// O(jobs + needs): a depth-first walk in declaration order, so independent jobs keep the
// order they were written in.
import { SlipwayError } from '../../core/errors.ts';
import { expandMatrix, hasExpressions } from './matrix.ts';
import type { JobSpec, Plan, PlannedJob, Workflow } from '../model.ts';
import { calledPath, maxWorkflowNesting } from './reusable.ts';
import { legLabels } from './runs-on-labels.ts';

export interface PlanOptions {
  /** Raise GitHub's 256-leg matrix cap (benchmarks only). */
  maxMatrixLegs?: number;
}

/**
 * The planned jobs of a run. Literal matrices become one PlannedJob per leg; a matrix with
 * expressions stays one job with `deferredMatrix` (the scheduler expands it once its needs
 * finish). A job that calls a reusable workflow is replaced by the called workflow's jobs,
 * keyed `caller/inner`, taken from `called` (by repository path, see reusable.ts).
 */
export function planWorkflow(workflow: Workflow, called: Record<string, Workflow> = {}, options: PlanOptions = {}): Plan {
  const jobs: PlannedJob[] = [];
  planJobs(workflow, { called, options, out: jobs, depth: 1 });
  const used = new Set(jobs.flatMap((j) => (j.workflow ? [j.workflow] : [])));
  const plan: Plan = { workflow: workflow.file, jobs };
  if (used.size > 0) plan.called = Object.fromEntries([...used].sort().map((path) => [path, called[path] as Workflow]));
  return plan;
}

interface Walk {
  called: Record<string, Workflow>;
  options: PlanOptions;
  out: PlannedJob[];
  depth: number;
  /** Inside a called workflow: who calls it, and what its jobs without needs wait for. */
  call?: { key: string; jobId: string; name: string; workflow: string; callerWorkflow?: string; matrix?: Record<string, unknown>; needs: string[] };
}

/** Plans `workflow`'s jobs into `walk.out`; returns the planned keys of every job id. */
function planJobs(workflow: Workflow, walk: Walk): Map<string, string[]> {
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  const ordered = topologicalOrder(workflow.jobs, byId, workflow.file);
  // Keys of every planned job per job id: a job needing a matrix job waits for all legs,
  // one needing a caller waits for all jobs of the called workflow.
  const keysById = new Map<string, string[]>();
  for (const job of ordered) {
    const own = job.needs.flatMap((id) => keysById.get(id) ?? []);
    // A called workflow's first jobs wait for what the calling job waits for.
    const needs = job.needs.length === 0 && walk.call ? walk.call.needs : own;
    const legs = legsOf(job, walk.options);
    const keys: string[] = [];
    for (const leg of legs) {
      const key = walk.call ? `${walk.call.key}/${leg.key}` : leg.key;
      if (job.uses === undefined) {
        const planned: PlannedJob = { key, jobId: job.id, name: callName(walk, leg.name), needs, runsOn: legLabels(job.runsOn, leg.matrix) };
        if (leg.matrix) planned.matrix = leg.matrix;
        if (leg.deferred) planned.deferredMatrix = true;
        if (walk.call) addCaller(planned, walk.call, workflow.file);
        walk.out.push(planned);
        keys.push(key);
        continue;
      }
      keys.push(...planCall(workflow, job, leg, key, needs, walk));
    }
    keysById.set(job.id, keys);
  }
  return keysById;
}

function planCall(workflow: Workflow, job: JobSpec, leg: Leg, key: string, needs: string[], walk: Walk): string[] {
  const path = calledPath(job.uses as string);
  const callee = walk.called[path];
  if (!callee) throw invalid(workflow.file, `job \`${job.id}\` calls \`${job.uses}\`, which was not loaded`);
  if (walk.depth >= maxWorkflowNesting) {
    throw invalid(workflow.file, `job \`${job.id}\` nests reusable workflows deeper than ${maxWorkflowNesting} levels`);
  }
  const call: NonNullable<Walk['call']> = { key, jobId: job.id, name: callName(walk, leg.name), workflow: path, needs };
  if (walk.call) call.callerWorkflow = workflow.file;
  if (leg.matrix) call.matrix = leg.matrix;
  const inner = planJobs(callee, { ...walk, depth: walk.depth + 1, call });
  return [...inner.values()].flat();
}

function addCaller(planned: PlannedJob, call: NonNullable<Walk['call']>, file: string): void {
  planned.workflow = file;
  planned.caller = call.jobId;
  planned.callerKey = call.key;
  if (call.callerWorkflow !== undefined) planned.callerWorkflow = call.callerWorkflow;
  if (call.matrix) planned.callerMatrix = call.matrix;
}

/** GitHub shows a called workflow's job as `caller / job`. */
function callName(walk: Walk, name: string): string {
  return walk.call ? `${walk.call.name} / ${name}` : name;
}

interface Leg {
  key: string;
  name: string;
  matrix?: Record<string, unknown>;
  deferred?: boolean;
}

/** One leg per matrix combination (literal matrices), else the job itself. */
function legsOf(job: JobSpec, options: PlanOptions): Leg[] {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return [{ key: job.id, name: job.name }];
  if (typeof matrix === 'string' || hasExpressions(matrix)) return [{ key: job.id, name: job.name, deferred: true }];
  return expandMatrix(job.id, matrix, { maxLegs: options.maxMatrixLegs }).map((leg) => ({
    key: leg.key,
    // A name with `${{ matrix.* }}` names the leg itself; otherwise GitHub appends the values.
    name: job.name.includes('${{') ? job.name : `${job.name}${leg.key.slice(job.id.length)}`,
    matrix: leg.values,
  }));
}

function topologicalOrder(jobs: JobSpec[], byId: Map<string, JobSpec>, file: string): JobSpec[] {
  const state = new Map<string, 'active' | 'done'>();
  const out: JobSpec[] = [];
  // Iterative, so a long chain of needs cannot overflow the stack.
  for (const root of jobs) {
    if (state.has(root.id)) continue;
    const stack: { job: JobSpec; next: number }[] = [{ job: root, next: 0 }];
    state.set(root.id, 'active');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { job: JobSpec; next: number };
      const needId = frame.job.needs[frame.next++];
      if (needId === undefined) {
        stack.pop();
        state.set(frame.job.id, 'done');
        out.push(frame.job);
        continue;
      }
      const need = byId.get(needId);
      if (!need) throw invalid(file, `job \`${frame.job.id}\` needs unknown job \`${needId}\``);
      const s = state.get(needId);
      if (s === 'active') throw invalid(file, `jobs form a cycle through \`needs\` at \`${needId}\``);
      if (s === undefined) {
        state.set(needId, 'active');
        stack.push({ job: need, next: 0 });
      }
    }
  }
  return out;
}

// parseWorkflow rejects these already; a hand-built Workflow may still have them.
function invalid(file: string, message: string): SlipwayError {
  return new SlipwayError('WORKFLOW_INVALID', `${file}: ${message}`);
}
