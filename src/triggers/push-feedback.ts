// What `git push` prints about the runs it started, like GitLab's merge-request hint:
// `remote: run hello#3 queued: <url>` (issue 12 item 7). The push is acknowledged once its
// events are recorded; this waits a little longer for their runs to be created, so the
// pusher sees them without a second command. If they take longer, the line says where to look.
import type { PushEvent } from '../core/types.ts';
import { zeroSha } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { projectUrl, runUrl } from '../core/run-urls.ts';

interface FeedbackDeps {
  store: Store;
  /** The ids of the runs an event started (PushEvents.runsOf). */
  runsOf: (event: PushEvent) => Promise<string[]> | undefined;
  baseUrl: string;
  /** How long the push waits for its runs at most; default 5 s. */
  waitMs?: number;
}

const timedOut = Symbol('timed out');

export function pushFeedback(deps: FeedbackDeps): (events: PushEvent[]) => Promise<string[]> {
  return async (events) => {
    const lines: string[] = [];
    for (const event of events) {
      if (event.after === zeroSha) continue;
      const pending = deps.runsOf(event);
      if (!pending) continue;
      let timer: NodeJS.Timeout | undefined;
      const ids = await Promise.race([pending, new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), deps.waitMs ?? 5000)))]);
      clearTimeout(timer);
      const project = await deps.store.projects.get(event.project);
      if (ids === timedOut) {
        lines.push(`runs for ${event.ref} are being started: ${projectUrl(deps.baseUrl, event.project)}`);
        continue;
      }
      for (const id of ids) {
        const run = await deps.store.runs.get(id);
        if (!run || !project) continue;
        const what = run.error ? 'failed before it started (invalid workflow)' : run.status;
        lines.push(`run ${project.name}#${run.number} ${what}: ${runUrl(deps.baseUrl, project.name, run.number)}`);
      }
    }
    return lines;
  };
}
