// The run's job graph from its stored plan (laid out by graph-layout.ts), statuses live
// from the run view.
import type { Job, PlanJob } from '../types.ts';
import { columnsOf } from './graph-layout.ts';
import { Status } from '../components.tsx';
import { duration } from '../format.ts';

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
