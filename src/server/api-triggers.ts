// Runs started through the API and by the clock (docs.github.com "Events that trigger
// workflows"): workflow_dispatch with typed inputs, repository_dispatch with an event type
// and a client payload, and schedule (cron, UTC) on the default branch's head.
import { formatDiagnostic, SlipwayError } from '../core/errors.ts';
import type { Run } from '../store/repos/runs.ts';
import { matchesDispatch, matchRepositoryDispatch, matchSchedule, resolveInputs } from '../workflow/triggers.ts';
import { defaultBranch, resolveRef } from './git-refs.ts';
import { startRun, type StartRunDeps } from './start-run.ts';
import { readWorkflows } from './workflow-files.ts';

/** `POST …/workflows/:file/dispatches`: `file` is the workflow's file name or repository path. */
export async function dispatchWorkflow(deps: StartRunDeps, project: string, file: string, ref: string | undefined, given: Record<string, unknown>): Promise<Run> {
  const target = await resolveRef(deps.git, project, ref);
  const all = await readWorkflows(deps.git, project, target.sha);
  const found = all.find((w) => w.file === file || w.file.split('/').pop() === file);
  if (!found) throw new SlipwayError('NOT_FOUND', `no workflow ${JSON.stringify(file)} at ${target.ref} (workflows: ${all.map((w) => w.file.split('/').pop()).join(', ') || 'none'})`);
  if (!found.workflow || found.diagnostics.length > 0) {
    throw new SlipwayError('WORKFLOW_INVALID', `${found.file} is invalid:\n${found.diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  if (!matchesDispatch(found.workflow)) throw new SlipwayError('WORKFLOW_INVALID', `${found.file} has no \`on: workflow_dispatch\` trigger`);
  const { inputs, errors } = resolveInputs(found.workflow.on.workflowDispatch?.inputs ?? {}, given);
  if (!inputs) throw new SlipwayError('WORKFLOW_INVALID', `${found.file}: ${errors.join('; ')}`, { detail: { errors } });
  const payload = { inputs, ref: target.ref, repository: { name: project, full_name: project }, workflow: found.file };
  return startRun(deps, { project, ref: target.ref, sha: target.sha, event: 'workflow_dispatch', payload, inputs }, found.file, found.workflow);
}

/** `POST …/dispatches`: every workflow on the default branch whose `repository_dispatch` takes the type. */
export async function repositoryDispatch(deps: StartRunDeps, project: string, eventType: string, clientPayload: Record<string, unknown>): Promise<Run[]> {
  const head = await resolveRef(deps.git, project, undefined);
  const runs: Run[] = [];
  for (const w of await readWorkflows(deps.git, project, head.sha)) {
    if (!w.workflow || w.diagnostics.length > 0 || !matchRepositoryDispatch(w.workflow, eventType)) continue;
    const payload = { action: eventType, client_payload: clientPayload, repository: { name: project, full_name: project } };
    runs.push(await startRun(deps, { project, ref: head.ref, sha: head.sha, event: 'repository_dispatch', payload }, w.file, w.workflow));
  }
  return runs;
}

/**
 * Starts the scheduled workflows due in the minute containing `at`: for each project, the
 * workflows at its default branch's head whose `on.schedule` has a matching cron.
 */
export async function runScheduled(deps: StartRunDeps, at: Date): Promise<Run[]> {
  const runs: Run[] = [];
  for (const project of await deps.store.projects.list()) {
    const head = await defaultBranch(deps.git, project.name).catch(() => undefined);
    if (!head) continue;
    for (const w of await readWorkflows(deps.git, project.name, head.sha)) {
      if (!w.workflow || w.diagnostics.length > 0 || !w.workflow.on.schedule) continue;
      let crons: string[];
      try {
        crons = matchSchedule(w.workflow, at);
      } catch (err) {
        deps.log(`schedule ${project.name} ${w.file}: ${(err as Error).message}`);
        continue;
      }
      if (crons.length === 0) continue;
      const payload = { schedule: crons[0], repository: { name: project.name, full_name: project.name } };
      runs.push(await startRun(deps, { project: project.name, ref: head.ref, sha: head.sha, event: 'schedule', payload }, w.file, w.workflow));
    }
  }
  return runs;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { unref?(): unknown };
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

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
