// What a run stores of its workflow: enough for any runner to execute any of its jobs.
import type { Plan, Workflow } from '../workflow/model.ts';

export interface StoredPlan {
  workflow: Workflow;
  plan: Plan;
}
