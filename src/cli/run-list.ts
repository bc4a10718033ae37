// `slipway run --list` and `--graph` (act's `-l` and `-g`): the jobs of the chosen
// workflows by stage — a job's stage is one more than the latest stage among its `needs` —
// as a table, or as boxes per stage joined by arrows. Nothing runs.
import type { JobSpec, Workflow } from '../workflow/model.ts';
import { table } from './output.ts';

/** GitHub's event names of a workflow's `on:`. */
export function eventNames(workflow: Workflow): string[] {
  const on = workflow.on;
  return [on.push && 'push', on.workflowDispatch && 'workflow_dispatch', on.schedule && 'schedule', on.repositoryDispatch && 'repository_dispatch', on.workflowCall && 'workflow_call'].filter((e): e is string => typeof e === 'string');
}

/** Jobs grouped by stage, in file order within a stage. */
export function stages(jobs: readonly JobSpec[]): JobSpec[][] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const stageOf = new Map<string, number>();
  const visit = (job: JobSpec, path: Set<string>): number => {
    const known = stageOf.get(job.id);
    if (known !== undefined) return known;
    // The parser refuses cycles; guard anyway so a bad file cannot loop here.
    if (path.has(job.id)) return 0;
    path.add(job.id);
    const needs = job.needs.map((n) => byId.get(n)).filter((n): n is JobSpec => n !== undefined);
    const stage = needs.length === 0 ? 0 : 1 + Math.max(...needs.map((n) => visit(n, path)));
    path.delete(job.id);
    stageOf.set(job.id, stage);
    return stage;
  };
  const out: JobSpec[][] = [];
  for (const job of jobs) (out[visit(job, new Set())] ??= []).push(job);
  return out.filter(Boolean);
}

export function listJobs(workflows: readonly Workflow[]): string {
  const rows = workflows.flatMap((w) => stages(w.jobs).flatMap((jobs, stage) => jobs.map((j) => [String(stage), j.id, j.name, w.name, w.file, eventNames(w).join(',')])));
  return table(['STAGE', 'JOB ID', 'JOB NAME', 'WORKFLOW NAME', 'WORKFLOW FILE', 'EVENTS'], rows);
}

/** One workflow's stages as rows of boxes, an arrow between stages, and what each job needs. */
export function graph(workflow: Workflow): string {
  const lines: string[] = [`${workflow.name} (${workflow.file})`];
  const all = stages(workflow.jobs);
  all.forEach((jobs, i) => {
    const labels = jobs.map((j) => (j.name === j.id ? j.id : `${j.id}: ${j.name}`));
    lines.push(labels.map((l) => `╭${'─'.repeat(l.length + 2)}╮`).join(' '));
    lines.push(labels.map((l) => `│ ${l} │`).join(' '));
    lines.push(labels.map((l) => `╰${'─'.repeat(l.length + 2)}╯`).join(' '));
    const needing = all[i + 1];
    if (needing) {
      lines.push(`   ⬇ ${needing.map((j) => `${j.id} needs ${j.needs.join(', ')}`).join('; ')}`);
    }
  });
  return lines.join('\n');
}
