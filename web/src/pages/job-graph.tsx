// The run's job graph from its stored plan: jobs in columns by depth in the DAG (a job sits
// right of everything it needs), the legs of a matrix grouped in one box, statuses live
// from the run view.
import type { Job, PlanJob } from '../types.ts';
import { Status } from '../components.tsx';
import { duration } from '../format.ts';

interface Group {
  jobId: string;
  legs: PlanJob[];
  needs: Set<string>;
}

export function columnsOf(plan: PlanJob[]): Group[][] {
  const groups = new Map<string, Group>();
  const groupOfKey = new Map<string, string>();
  for (const j of plan) {
    const g = groups.get(j.jobId) ?? { jobId: j.jobId, legs: [], needs: new Set<string>() };
    g.legs.push(j);
    groups.set(j.jobId, g);
    groupOfKey.set(j.key, j.jobId);
  }
  for (const g of groups.values()) for (const leg of g.legs) for (const n of leg.needs) g.needs.add(groupOfKey.get(n) ?? n);
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const g = groups.get(id);
    const d = g && g.needs.size ? Math.max(...[...g.needs].map((n) => depthOf(n, seen) + 1)) : 0;
    depth.set(id, d);
    return d;
  };
  const columns: Group[][] = [];
  for (const g of groups.values()) (columns[depthOf(g.jobId, new Set())] ??= []).push(g);
  return columns.filter(Boolean);
}

export function JobGraph({ plan, jobs, href, selected }: { plan: PlanJob[]; jobs: Job[]; href: (key: string) => string; selected?: string }) {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  return (
    <div class="graph" data-testid="job-graph">
      {columnsOf(plan).map((col, i) => (
        <div class="col" key={i}>
          {col.map((g) => (
            <div class={`node${g.legs.length > 1 ? ' matrix' : ''}`} key={g.jobId} data-job-id={g.jobId}>
              {g.legs.length > 1 && (
                <div class="matrix-title">
                  {g.jobId} <span class="muted">({g.legs.length} legs)</span>
                </div>
              )}
              {g.legs.map((leg) => {
                const job = byKey.get(leg.key);
                return (
                  <a key={leg.key} class={`job${selected === leg.key ? ' here' : ''}`} href={href(leg.key)} data-job={leg.key}>
                    <Status status={job?.status ?? 'queued'} /> <span class="job-name">{leg.name}</span>
                    <span class="muted">{job && duration(job.startedAt, job.finishedAt)}</span>
                  </a>
                );
              })}
              {g.needs.size > 0 && <div class="needs muted">needs {[...g.needs].join(', ')}</div>}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
