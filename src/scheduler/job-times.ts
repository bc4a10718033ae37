// How long a job waited for a runner and how long an attempt ran, from the rows the scheduler
// holds when it starts or ends one: the facts 'job-started' and 'job-ended' carry
// (core/events.ts), so their observers (the metrics) read nothing.
import type { Job } from '../store/repos/runs.ts';

/** Seconds from `fromIso` to `toMs`, never below 0 (clocks of two servers may differ a little). */
export const secondsSince = (fromIso: string, toMs: number): number => Math.max(0, (toMs - Date.parse(fromIso)) / 1000);

/** From the job becoming runnable (created, or the last of its needs finished) to `startedMs`. */
export function queueSeconds(job: Job, siblings: readonly Job[], startedMs: number): number {
  const needs = new Set(JSON.parse(job.needs) as string[]);
  const needsEnded = siblings.filter((s) => needs.has(s.key) && s.finished_at).map((s) => s.finished_at!);
  return secondsSince([job.created_at, ...needsEnded].sort().at(-1)!, startedMs);
}
