// `slipway up --log-format json`: one JSON line per state change of a run, a job or a
// deployment (the event bus says something changed; the store says what it is now). Only a
// change of status is a line: a job moving to its next step is not. What is still going is
// remembered until it ends, so the map holds only unfinished work.
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import { isDeploymentFinished, isFinished } from '../core/types.ts';

export type LogRecord = (fields: Record<string, unknown>) => void;

export function logStateChanges(deps: { store: Store; events: EventBus; record: LogRecord; log: (m: string) => void; track: (p: Promise<unknown>) => void }): () => void {
  const { store, events, record, log, track } = deps;
  const last = new Map<string, string>();
  const changed = (id: string, status: string, finished: boolean) => {
    if (last.get(id) === status) return false;
    if (finished) last.delete(id);
    else last.set(id, status);
    return true;
  };
  const follow = (what: string, read: () => Promise<void>) => track(read().catch((err: unknown) => log(`state log: ${what}: ${(err as Error).message}`)));
  const onRun = (runId: string) =>
    follow(`run ${runId}`, async () => {
      const run = await store.runs.get(runId);
      if (!run || !changed(run.id, `${run.attempt}:${run.status}`, isFinished(run.status))) return;
      const project = (await store.projects.byId(run.project_id))?.name;
      record({ msg: 'run', run: run.id, project, number: run.number, attempt: run.attempt, workflow: run.workflow, status: run.status });
    });
  const onJob = (jobId: string, runId: string) =>
    follow(`job ${jobId}`, async () => {
      const job = await store.runs.job(jobId);
      if (!job || !changed(job.id, `${job.attempt}:${job.status}`, isFinished(job.status))) return;
      record({ msg: 'job', run: runId, job: job.id, key: job.key, attempt: job.attempt, status: job.status, runner: job.runner });
    });
  const onDeployment = (id: string) =>
    follow(`deployment ${id}`, async () => {
      const d = await store.deployments.get(id);
      if (!d || !changed(d.id, d.status, isDeploymentFinished(d.status))) return;
      record({ msg: 'deployment', deployment: d.id, number: d.number, environment: d.environment, status: d.status, error: d.error });
    });
  // A change another server made is logged by that server (onLocal), once.
  const offs = [events.onLocal('run-updated', onRun), events.onLocal('job-updated', onJob), events.onLocal('deployment-updated', onDeployment)];
  return () => offs.forEach((off) => off());
}
