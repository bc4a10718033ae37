// `needs` must name jobs of the same workflow and must not loop (docs: jobs.<job_id>.needs).
import type { ReadJob } from './parse-job.ts';
import { hint } from '../yaml/suggest.ts';
import type { Reader } from '../yaml/reader.ts';
import { child } from '../yaml/reader.ts';

export function checkNeeds(r: Reader, jobs: ReadJob[]): void {
  const byId = new Map(jobs.map((j) => [j.spec.id, j]));
  const ids = [...byId.keys()];
  for (const job of jobs) {
    for (const need of job.needs) {
      if (byId.has(need.name)) continue;
      r.error(need.at, child(child('jobs', job.spec.id), 'needs'), `unknown job \`${need.name}\`; ${hint(need.name, ids)}`);
    }
  }
  for (const cycle of findCycles(jobs, byId)) {
    const first = byId.get(cycle[0] as string) as ReadJob;
    const at = first.needs.find((n) => n.name === cycle[1])?.at ?? first.spec.pos;
    r.error(at, child(child('jobs', first.spec.id), 'needs'),
      `jobs form a cycle through \`needs\`: ${cycle.join(' → ')}; expected needs without loops`);
  }
}

/**
 * Each distinct cycle once, as ids with the first repeated at the end, starting from the
 * job declared first. Depth-first search; an edge to a job on the current path closes a cycle.
 */
function findCycles(jobs: ReadJob[], byId: Map<string, ReadJob>): string[][] {
  const order = new Map(jobs.map((j, i) => [j.spec.id, i]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();

  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      if (!byId.has(need.name)) continue;
      const s = state.get(need.name);
      if (s === 'active') {
        const loop = stack.slice(stack.indexOf(need.name));
        const start = loop.reduce((best, x, i) => ((order.get(x) ?? 0) < (order.get(loop[best] as string) ?? 0) ? i : best), 0);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.set(rotated.join('\n'), [...rotated, rotated[0] as string]);
      } else if (s === undefined) {
        visit(need.name);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const job of jobs) if (!state.has(job.spec.id)) visit(job.spec.id);
  return [...found.values()];
}
