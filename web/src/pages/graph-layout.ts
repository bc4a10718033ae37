// The job graph's layout: jobs in columns by depth in the DAG (a job sits right of
// everything it needs), the legs of one matrix job grouped.
import type { PlanJob } from '../types.ts';

export interface Group {
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
