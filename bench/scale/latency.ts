// Runnable → started, from the store's own timestamps. A job is *runnable* at the later of
// when it was queued (its row's created_at: the run was created) and when the last job it
// needs finished (that job's finished_at, set when its result was settled): from then on
// the scheduler would hand it to a runner. It is *started* when a runner's claim won it
// (started_at, set in the claim's compare-and-set). Both are the server's clock, in ms.
import type { Job, Step } from '../../src/store/repos/runs.ts';

export interface JobTimes {
  key: string;
  runnable: number;
  started: number;
  finished: number;
}

export function jobTimes(jobs: readonly Job[]): JobTimes[] {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  return jobs.map((j) => {
    if (!j.started_at || !j.finished_at) throw new Error(`job ${j.key} (${j.id}) is ${j.status}: it never started or finished`);
    const needs = JSON.parse(j.needs) as string[];
    const needsMet = needs.map((k) => {
      const need = byKey.get(k);
      if (!need?.finished_at) throw new Error(`job ${j.key} needs ${k}, which has not finished`);
      return Date.parse(need.finished_at);
    });
    return { key: j.key, runnable: Math.max(Date.parse(j.created_at), ...needsMet), started: Date.parse(j.started_at), finished: Date.parse(j.finished_at) };
  });
}

/** Nearest-rank percentile (p in 0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Where a job's time went on its runner, from the same clocks: claim → first step, its steps, last step → completion. */
export interface JobPhases {
  setup: number;
  steps: number;
  close: number;
}

export function jobPhases(job: Job, steps: readonly Step[]): JobPhases | undefined {
  const starts = steps.flatMap((s) => (s.started_at ? [Date.parse(s.started_at)] : []));
  const ends = steps.flatMap((s) => (s.finished_at ? [Date.parse(s.finished_at)] : []));
  if (!job.started_at || !job.finished_at || starts.length === 0 || ends.length === 0) return undefined;
  const first = Math.min(...starts);
  const last = Math.max(...ends);
  return { setup: first - Date.parse(job.started_at), steps: last - first, close: Date.parse(job.finished_at) - last };
}
