// Workflow → the jobs of one run, in an order where every job comes after what it needs.
// O(jobs + needs): a depth-first walk in declaration order, so independent jobs keep the
// order they were written in.
import { SlipwayError } from '../core/errors.ts';
import type { JobSpec, Plan, PlannedJob, Workflow } from './model.ts';

export function planWorkflow(workflow: Workflow): Plan {
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  const ordered = topologicalOrder(workflow.jobs, byId, workflow.file);
  // Keys of every planned job per job id: a job needing a matrix job waits for all legs.
  const keysById = new Map<string, string[]>();
  const jobs: PlannedJob[] = [];
  for (const job of ordered) {
    const needs = job.needs.flatMap((id) => keysById.get(id) ?? []);
    const legs = expandJob(job, needs);
    keysById.set(job.id, legs.map((leg) => leg.key));
    jobs.push(...legs);
  }
  return { workflow: workflow.file, jobs };
}

/**
 * The planned jobs for one job spec. Today exactly one; matrix support (`strategy.matrix`)
 * goes here: one PlannedJob per combination, keyed `id (a, b)`, with `matrix` set.
 */
function expandJob(job: JobSpec, needs: string[]): PlannedJob[] {
  return [{ key: job.id, jobId: job.id, name: job.name, needs, runsOn: job.runsOn }];
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
