// Starting a run of one workflow at one commit, for every trigger (push, workflow_dispatch,
// repository_dispatch, schedule): load the reusable workflows it calls, plan it, evaluate
// `run-name` and the workflow's `concurrency`, store the run with its jobs and hand it to
// the scheduler. A workflow that cannot start becomes a failed run saying why.
import { formatDiagnostic } from '../core/errors.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { Store } from '../store/store.ts';
import type { Run, RunNumbers } from '../store/repos/runs.ts';
import type { EventBus } from '../core/events.ts';
import type { Scheduler } from './scheduler.ts';
import type { StoredPlan } from './stored-plan.ts';
import type { Workflow } from '../workflow/model.ts';
import { planWorkflow } from '../workflow/plan/plan.ts';
import { resolveLabels } from '../workflow/plan/runs-on-labels.ts';
import { loadCalledWorkflows } from '../workflow/plan/reusable.ts';
import { contextValues, evaluateTemplate, githubContext, type TriggerFacts } from './contexts.ts';
import { evaluateConcurrency, type Concurrency } from './concurrency.ts';
import { plannedRow } from './rerun-plan.ts';
import type { ParseSettings } from '../workflow/parse/read-options.ts';

export interface StartRunDeps {
  git: GitHosting;
  store: Store;
  events: EventBus;
  scheduler: Scheduler;
  log: (message: string) => void;
  /** What the workflow parser is told about this server (`runner.allowOptions`). */
  parse?: ParseSettings;
  /** The server's public URL, for the URLs of event payloads (`repository.html_url`, …). */
  baseUrl?: string;
}

interface RunTrigger {
  project: string;
  /** Full ref, `refs/heads/main`. */
  ref: string;
  sha: string;
  /** `push`, `workflow_dispatch`, `repository_dispatch`, `schedule`. */
  event: string;
  /** `github.event`. */
  payload: Record<string, unknown>;
  /** Typed `inputs` (workflow_dispatch). */
  inputs?: Record<string, unknown>;
  /** The recorded push event that started it (push runs). */
  pushEventId?: string;
  /** Who started it and whether the ref is protected (`github.actor`, `github.ref_protected`). */
  facts?: TriggerFacts;
}

/** Starts a run of `workflow` (or records `error` as a failed run when it is invalid). */
export async function startRun(deps: Omit<StartRunDeps, 'git'> & { git: Pick<GitHosting, 'readFile'> }, trigger: RunTrigger, file: string, workflow: Workflow | undefined, error?: string): Promise<Run> {
  let stored: StoredPlan | undefined;
  if (workflow && !error) {
    try {
      stored = await planRun(workflow, (path) => deps.git.readFile(trigger.project, trigger.sha, path), deps.parse);
    } catch (err) {
      error = (err as Error).message;
    }
  }
  return createRun(deps, trigger, file, workflow, error === undefined ? stored : undefined, error);
}

/** The workflow planned with the reusable workflows it calls, read at the run's commit. */
async function planRun(workflow: Workflow, readFile: (path: string) => Promise<string | undefined>, parse?: StartRunDeps['parse']): Promise<StoredPlan> {
  const { called, diagnostics } = await loadCalledWorkflows(workflow, readFile, parse);
  if (diagnostics.length > 0) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return { workflow, plan: planWorkflow(workflow, called) };
}

/**
 * The one way a run is created, for the server's triggers and `slipway run` alike: `run-name`
 * and the workflow's `concurrency` evaluated, the run and its jobs stored in one transaction
 * (job rows from the plan), and the run handed to the scheduler. Without `stored` (or with
 * `error`) the run is recorded as failed, saying why.
 */
export async function createRun(deps: Omit<StartRunDeps, 'git'>, trigger: RunTrigger, file: string, workflow: Workflow | undefined, stored: StoredPlan | undefined, error?: string): Promise<Run> {
  const { store } = deps;
  const project = await store.projects.ensure(trigger.project);
  let concurrency: Concurrency | undefined;
  // `run-name` and the workflow's `concurrency` see `github` and `inputs` (docs "Contexts" §
  // availability), the run's numbers included: decided as the store assigns them.
  const decide = (numbers: RunNumbers) => {
    if (!workflow || !stored) return {};
    try {
      const run = { id: '', project_id: project.id, number: numbers.number, github_run_id: numbers.githubRunId, workflow_number: numbers.workflowNumber, workflow: file, event: trigger.event, ref: trigger.ref, sha: trigger.sha, name: workflow.name, event_payload: JSON.stringify(trigger.payload), github_trigger: trigger.facts ? JSON.stringify(trigger.facts) : null };
      const context = contextValues({ github: githubContext(run, trigger.project), inputs: trigger.inputs ?? {} });
      const title = workflow.runName ? String(evaluateTemplate(workflow.runName, context)) : undefined;
      concurrency = evaluateConcurrency(workflow.concurrency, context);
      // `runs-on: ${{ inputs.pool }}`: labels known now; a called workflow's jobs have the call's inputs, not these.
      const { github, inputs } = context.values;
      const jobs = stored.plan.jobs.map((j) => ({ ...j, runsOn: resolveLabels(j.runsOn, { github, ...(j.workflow ? {} : { inputs }), ...(j.matrix ? { matrix: j.matrix } : {}) }) }));
      return { title, concurrencyGroup: concurrency?.group, jobs: jobs.map(plannedRow) };
    } catch (err) {
      concurrency = undefined;
      return { error: (err as Error).message };
    }
  };
  if (error) stored = undefined;
  const run = await store.runs.create({
    projectId: project.id,
    workflow: file,
    name: workflow?.name ?? file.split('/').pop()!,
    event: trigger.event,
    ref: trigger.ref,
    sha: trigger.sha,
    error,
    plan: stored,
    eventPayload: trigger.payload,
    inputs: trigger.inputs,
    pushEventId: trigger.pushEventId,
    githubTrigger: trigger.facts ? { ...trigger.facts } : undefined,
    jobs: stored ? stored.plan.jobs.map(plannedRow) : [],
    decide,
  });
  deps.log(`run #${run.number} ${trigger.project} ${file} (${trigger.event}) ${run.error ? 'failed: invalid configuration' : 'queued'}`);
  deps.events.emit('run-updated', run.id);
  if (run.error) deps.events.emit('run-finished', run.id);
  else await deps.scheduler.runCreated(run.id, { cancelInProgress: concurrency?.cancelInProgress });
  return run;
}
