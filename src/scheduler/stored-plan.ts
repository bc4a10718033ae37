// What a run stores of its workflow: enough for any runner to execute any of its jobs.
import type { Plan, Workflow } from '../workflow/model.ts';

export interface StoredPlan {
  workflow: Workflow;
  plan: Plan;
  /** What each remote reusable workflow's ref resolved to when the run was planned (recorded in run_actions). */
  resolved?: { uses: string; sha: string; source: string }[];
}
