// A push becomes runs: read the workflows at the pushed commit, keep those whose `on.push`
// matches, validate them (and deploy.yml) and plan each into a run. An invalid file fails
// its own run with every error listed; it never stops other workflows or the server.
import type { PushEvent } from '../core/types.ts';
import { zeroSha } from '../core/types.ts';
import { formatDiagnostic } from '../core/errors.ts';
import { matchPush } from '../workflow/triggers.ts';
import { startRun, type StartRunDeps } from '../scheduler/start-run.ts';
import type { TriggerFacts } from '../scheduler/contexts.ts';
import { readWorkflows } from './read-workflows.ts';
import { pushPayload, triggerFacts } from './event-payload.ts';

export interface PushDeps extends StartRunDeps {
  /**
   * Checks what else the commit carries (deploy.yml, from the deploy stage, wired in by the
   * composition root): errors fail the push's runs before anything runs.
   */
  checkCommit?: (project: string, sha: string) => Promise<string | undefined>;
  /**
   * Warnings about what the commit carries (deploy.yml protection changed away from the
   * default branch, from the deploy stage): each becomes a warning annotation of the push's runs.
   */
  noteCommit?: (project: string, ref: string, sha: string) => Promise<string[]>;
}

/**
 * The runs of one push. With `pushEventId` (a recorded event), workflows that already have a
 * run from that event are skipped, so processing an event again starts nothing twice.
 */
export async function startRunsForPush(deps: PushDeps, event: PushEvent, pushEventId?: string): Promise<string[]> {
  const { git } = deps;
  if (event.after === zeroSha) return []; // a deleted ref starts nothing
  // The project exists from its first push on, before its workflows are even read.
  await deps.store.projects.ensure(event.project);
  const started = pushEventId ? await deps.store.runs.workflowsOfPushEvent(pushEventId) : new Set<string>();
  let changedFiles: string[] | undefined;
  const runIds: string[] = [];
  let deployErrors: string | undefined | null = null;
  let notes: string[] | undefined;
  // The payload and facts are the push's, the same for each workflow: read once, when a run starts.
  let github: { payload: Record<string, unknown>; facts: TriggerFacts } | undefined;

  for (const { file, workflow, diagnostics } of await readWorkflows(git, event.project, event.after, deps.parse)) {
    if (started.has(file)) continue;
    let error: string | undefined;
    if (workflow && diagnostics.length === 0) {
      if (workflow.on.push?.paths || workflow.on.push?.pathsIgnore) {
        changedFiles ??= await git.changedFiles(event.project, event.before, event.after);
      }
      if (!matchPush(workflow, { ref: event.ref, changedFiles })) continue;
      if (deployErrors === null) deployErrors = await deps.checkCommit?.(event.project, event.after);
      error = deployErrors;
    } else {
      // An invalid workflow cannot say whether it matches this push; report it, as GitHub does.
      error = diagnostics.map(formatDiagnostic).join('\n');
    }
    github ??= { payload: await pushPayload(deps, event), facts: await triggerFacts(deps, event.project, event.ref, event.pusher) };
    const trigger = { project: event.project, ref: event.ref, sha: event.after, event: 'push', payload: github.payload, facts: github.facts, pushEventId };
    // startRun hands each run to the scheduler, which wakes waiting runners itself.
    const run = await startRun(deps, trigger, file, workflow, error);
    runIds.push(run.id);
    if (!error && deps.noteCommit) {
      notes ??= await deps.noteCommit(event.project, event.ref, event.after);
      await annotateRun(deps, run.id, notes);
    }
  }
  return runIds;
}

/** Run-level warnings, as annotations of the run's first job (an annotation belongs to a job). */
async function annotateRun(deps: PushDeps, runId: string, notes: string[]): Promise<void> {
  if (notes.length === 0) return;
  const first = (await deps.store.runs.jobs(runId, 1))[0];
  if (!first) return;
  for (const message of notes) {
    await deps.store.runOutputs.addAnnotation({ run_id: runId, job_id: first.id, step_number: null, level: 'warning', message, title: 'protection rules', file: '.slipway/deploy.yml', line: null, end_line: null, col: null, end_column: null });
  }
}
