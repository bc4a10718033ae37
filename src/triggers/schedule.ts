// Runs started by the clock (docs.github.com "Events that trigger workflows" § schedule):
// cron, UTC, on the default branch's head, checked at every minute boundary.
import type { Clock } from '../core/clock.ts';
import type { Run } from '../store/repos/runs.ts';
import { matchSchedule } from '../workflow/triggers.ts';
import { defaultBranch } from './git-refs.ts';
import { startRun, type StartRunDeps } from '../scheduler/start-run.ts';
import { readWorkflows } from './read-workflows.ts';
import { schedulePayload, triggerFacts } from './event-payload.ts';

/**
 * Starts the scheduled workflows due in the minute containing `at`: for each project, the
 * workflows at its default branch's head whose `on.schedule` has a matching cron. With
 * several servers on one database each ticks; a minute is started by the one that takes it
 * first (store/repos/schedule-fires.ts), `server` naming this one.
 */
export async function runScheduled(deps: StartRunDeps, at: Date, server = 'local'): Promise<Run[]> {
  const runs: Run[] = [];
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  await deps.store.scheduleFires.prune(new Date(minute.getTime() - 24 * 3600_000));
  for (const project of await deps.store.projects.list()) {
    const head = await defaultBranch(deps.git, project.name).catch(() => undefined);
    if (!head) continue;
    for (const w of await readWorkflows(deps.git, project.name, head.sha, deps.parse)) {
      if (!w.workflow || w.diagnostics.length > 0 || !w.workflow.on.schedule) continue;
      let crons: string[];
      try {
        crons = matchSchedule(w.workflow, at);
      } catch (err) {
        deps.log(`schedule ${project.name} ${w.file}: ${(err as Error).message}`);
        continue;
      }
      if (crons.length === 0) continue;
      if (!(await deps.store.scheduleFires.take(project.name, w.file, minute, server))) continue;
      const payload = await schedulePayload(deps, project.name, crons[0]!);
      // GitHub's actor of a scheduled run is whoever last changed the cron; Slipway's clock stands in.
      const facts = await triggerFacts(deps, project.name, head.ref, 'slipway');
      runs.push(await startRun(deps, { project: project.name, ref: head.ref, sha: head.sha, event: 'schedule', payload, facts }, w.file, w.workflow));
    }
  }
  return runs;
}

/** Calls `tick` at every minute boundary (:00) of `clock`, with that minute; returns a stop function. */
export function everyMinute(clock: Clock, tick: (at: Date) => void): () => void {
  let handle: unknown;
  let stopped = false;
  const arm = () => {
    const now = clock.now();
    const next = Math.floor(now / 60_000) * 60_000 + 60_000;
    const h = clock.setTimeout(() => {
      if (stopped) return;
      tick(new Date(next));
      arm();
    }, next - now);
    h.unref?.();
    handle = h;
  };
  arm();
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}
