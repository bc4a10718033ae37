// The RunnerApi for the built-in runner: direct calls into the scheduler and store, with
// the same semantics the HTTP API gives remote runners. What a runner reports (log chunks,
// annotations, summaries, outputs, errors) is masked here too with the job's secrets: the
// runner masks first, but the server does not store a secret on a runner's word alone.
import { once } from 'node:events';
import type { RunnerApi, RegistryAccess } from './runner-api.ts';
import type { JobClaim, Scheduler } from '../../scheduler/scheduler.ts';
import type { Advanced } from '../../scheduler/progress.ts';
import type { ClaimedJob } from './wire.ts';
import type { Store } from '../../store/store.ts';
import type { EventBus } from '../../core/events.ts';
import type { RunStatus } from '../../core/types.ts';
import { runOfJob, runOutputFiles } from './in-process-files.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { Masker } from '../../core/mask.ts';
import { issueJobToken, revokeJobToken } from '../../auth/tokens.ts';
import { jobLogStream } from '../../store/repos/logs.ts';
import { SlipwayError } from '../../core/errors.ts';
import { LogCap } from './log-cap.ts';
import { parseActionRef } from '../../git/actions/action-ref.ts';
import { runActor, type RunActionSources } from '../../git/actions/action-access.ts';
import { crashPoint } from '../../core/crash-point.ts';
import { requireHeld } from './job-hold.ts';
import type { Job } from '../../store/repos/runs.ts';

interface InProcessRunnerApiOptions {
  runnerName: string;
  scheduler: Scheduler;
  store: Store;
  events: EventBus;
  /** Local path or URL of a project's git repository; an http(s) URL is fetched with the job's token. */
  sourceOf: (project: string) => string;
  registry: RegistryAccess;
  /** The object store artifacts and caches go to (the server's shared one); without it, files under DATA/storage. */
  storage?: StorageDriver;
  /** The data dir: DATA/storage when no `storage` is given (a temp dir when neither is), and archives from before the object store. */
  dataDir?: string;
  /** Remote actions: the server's action sources and what a run may read through them; without it none resolve. */
  actions?: RunActionSources;
  /** The most a job attempt's log may hold (config logs.maxJobBytes); unlimited when absent. */
  maxLogBytes?: number;
}

/** What the server keeps of a job this runner holds: its run, the attempt it claimed, its log stream and cap. */
interface HeldJob {
  runId: string;
  attempt: number;
  stream: string;
  cap: LogCap;
}

export function inProcessRunnerApi(o: InProcessRunnerApiOptions): RunnerApi {
  const { store, events, scheduler } = o;
  // The secrets of each job this runner holds; chunks arrive whole for them (LogWriter holds back a partial secret).
  const maskers = new Map<string, Masker>();
  /**
   * Masks with the job's secrets: those of its claim, or — when this process did not hand the
   * job out (a server restart under a remote runner's job) — read again from the store, so
   * what the server stores never rests on the runner's masking alone. Unreadable secrets
   * throw: the report is refused, never stored unmasked.
   */
  const mask = async (jobId: string, text: string): Promise<string> => {
    let masker = maskers.get(jobId);
    if (!masker) maskers.set(jobId, (masker = new Masker(await scheduler.secretValuesOf(jobId))));
    return masker.mask(text);
  };
  // The tokens of the jobs this runner holds, for source(): the store keeps only hashes.
  const tokens = new Map<string, string>();
  // The attempt each held job was claimed as: it logs to a stream of its own (store/repos/logs.ts
  // jobLogStream). Kept until completeJob, also when the lease is lost, so a runner that lost
  // it keeps writing to its own attempt, never to the next one.
  const attempts = new Map<string, HeldJob>();
  const held = (job: Pick<Job, 'id' | 'run_id' | 'attempt'>): HeldJob => ({ runId: job.run_id, attempt: job.attempt, stream: jobLogStream(job.id, job.attempt), cap: new LogCap(o.maxLogBytes ?? Number.POSITIVE_INFINITY) });
  /**
   * The attempt this runner claimed. A job this process did not hand out (a server restart
   * under a remote runner's job, a call after completeJob) is looked up, and refused unless
   * this runner holds it. The writes below check the hold again in their own statement:
   * the lease may have gone to another runner since the claim.
   */
  const heldJob = async (jobId: string): Promise<HeldJob> => attempts.get(jobId) ?? held(await requireHeld(store, o.runnerName, jobId));
  const holder = (jobId: string) => ({ jobId, runner: o.runnerName });
  /** What this API kept of a job it no longer reports for. */
  const forget = (jobId: string) => {
    maskers.delete(jobId);
    attempts.delete(jobId);
    tokens.delete(jobId);
  };
  /** `fresh`: the run and jobs a completion just read, for the claim that follows it (Scheduler.claim). */
  const claim = async (labels: readonly string[], fresh?: Advanced): Promise<ClaimedJob | undefined> => {
    // An admin paused or is draining this runner: nothing new for it (it keeps heartbeating what it holds), but it stays online.
    if ((await store.runners.state(o.runnerName)) !== 'active') {
      await store.runners.seen(o.runnerName, labels);
      return undefined;
    }
    const won = await scheduler.claim(o.runnerName, labels, fresh);
    if (!won) return undefined;
    maskers.set(won.job.id, new Masker(Object.values(won.secrets)));
    attempts.set(won.job.id, held(won.job));
    const token = await issueJobToken(store, { id: won.job.id, runId: won.run.id, projectId: won.run.project_id, attempt: won.job.attempt });
    tokens.set(won.job.id, token);
    return toWire(won, token, (await store.logs.lastSeq(jobLogStream(won.job.id, won.job.attempt))) + 1);
  };
  const appendLog = async (jobId: string, seq: number, text: string): Promise<void> => {
    const { stream, cap } = await heldJob(jobId);
    const masked = await mask(jobId, text);
    const stored = cap.admit(masked);
    if (stored === undefined) return;
    if (await store.logs.append(stream, seq, stored, holder(jobId))) {
      crashPoint('log-chunk-stored');
      events.emit('log', stream, seq, stored);
      return;
    }
    cap.notStored(stored);
    // Not stored: a retried chunk (kept the first time), a chunk after the job was reported
    // (its log is closed), or the lease went to another runner (refused).
    await requireHeld(store, o.runnerName, jobId);
  };
  return {
    claim: (labels) => claim(labels),
    async waitForWork(timeoutMs, signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      await once(events, 'jobs-available', { signal: AbortSignal.any([signal, timeout]) }).catch((err: Error) => {
        // The timeout or the runner stopping ends the wait; anything else is a real error.
        if (err.name !== 'AbortError') throw err;
      });
    },
    async heartbeat(jobId) {
      const holds = await scheduler.heartbeat(jobId, o.runnerName);
      if (!holds) maskers.delete(jobId);
      return holds;
    },
    async nextLogSeq(jobId) {
      return (await store.logs.lastSeq((await heldJob(jobId)).stream)) + 1;
    },
    appendLog,
    async startStep(jobId, number, name, log) {
      if (log) await appendLog(jobId, log.seq, log.text);
      const { runId, attempt } = await heldJob(jobId);
      const step = await store.runs.addHeldStep(holder(jobId), attempt, number, name, 'running');
      if (step) {
        events.emit('run-updated', runId);
        events.emit('job-updated', jobId, runId);
        return step.id;
      }
      // A retried call (its answer lost to a restarting server) names the step it made, not a second one.
      await requireHeld(store, o.runnerName, jobId);
      const started = await store.runs.stepNumbered(jobId, attempt, number);
      if (!started) throw new SlipwayError('INTERNAL', `step ${number} of job ${jobId} was neither written nor found`);
      return started.id;
    },
    async finishStep(stepId, status: RunStatus, exitCode) {
      if (await store.runs.finishHeldStep(stepId, o.runnerName, status, exitCode)) return;
      const step = await store.runs.step(stepId);
      if (!step) throw new SlipwayError('NOT_FOUND', `step ${stepId} not found`);
      await requireHeld(store, o.runnerName, step.job_id);
    },
    async skipStep(jobId, number, name) {
      const { attempt } = await heldJob(jobId);
      if (!(await store.runs.addHeldStep(holder(jobId), attempt, number, name, 'skipped'))) await requireHeld(store, o.runnerName, jobId);
    },
    async completeJob(jobId, status, outputs, error, extras) {
      // Refused unless this runner holds the job: a runner that lost its lease must not end,
      // nor revoke the token of, the attempt another runner now runs.
      const job = await requireHeld(store, o.runnerName, jobId).catch((err: unknown) => {
        forget(jobId);
        throw err;
      });
      if (extras?.log) await appendLog(jobId, extras.log.seq, extras.log.text);
      const masked = Object.fromEntries(await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await mask(jobId, v)] as const)));
      const maskedError = error === undefined ? undefined : await mask(jobId, error);
      forget(jobId);
      await revokeJobToken(store, jobId);
      const next = extras?.next;
      const advanced = await scheduler.completeJob(jobId, o.runnerName, status, masked, maskedError, job, next !== undefined);
      if (!next) return undefined;
      let taken: ClaimedJob | undefined;
      try {
        return (taken = await claim(next.labels, advanced));
      } finally {
        scheduler.announce(job, advanced, taken?.id);
      }
    },
    async resolveAction(jobId, uses) {
      if (!o.actions) throw new SlipwayError('ACTION_UNRESOLVED', `action ${uses}: this runner has no action sources`);
      const ref = parseActionRef(uses);
      if ('problem' in ref) throw new SlipwayError('WORKFLOW_INVALID', ref.problem);
      const run = await runOfJob(store, jobId);
      const project = await store.projects.byId(run.project_id);
      if (!project) throw new SlipwayError('INTERNAL', `project of run ${run.id} not found`);
      const actor = await runActor(store, { pushEventId: run.push_event_id, event: run.event, payload: run.event_payload });
      const resolved = await o.actions.sources.resolve(ref, o.actions.accessFor(project.name, actor));
      await store.runActions.record(run.id, { jobId, uses, sha: resolved.sha, source: resolved.source });
      return resolved;
    },
    async recordRelease(jobId, release) {
      const run = await runOfJob(store, jobId);
      const created = await store.releases.create({ project_id: run.project_id, run_id: run.id, sha: run.sha, ref: run.ref, image: release.image, digest: release.digest });
      events.emit('release-created', created.id);
      return { id: created.id };
    },
    async source(jobId) {
      const run = await runOfJob(store, jobId);
      const url = o.sourceOf((await store.projects.byId(run.project_id))!.name);
      const token = tokens.get(jobId);
      if (!/^https?:/.test(url) || !token) return { url };
      return { url, authorization: `Basic ${Buffer.from(`job:${token}`).toString('base64')}` };
    },
    registry: () => o.registry,
    async addAnnotation(jobId, a) {
      const job = await store.runs.job(jobId);
      if (!job) return;
      await store.runOutputs.addAnnotation({
        run_id: job.run_id, job_id: jobId, step_number: a.step ?? null, level: a.level, message: await mask(jobId, a.message), title: a.title === undefined ? null : await mask(jobId, a.title),
        file: a.file ?? null, line: a.line ?? null, end_line: a.endLine ?? null, col: a.column ?? null, end_column: a.endColumn ?? null,
      });
      events.emit('run-updated', job.run_id);
    },
    async setStepSummary(jobId, stepNumber, markdown) {
      const job = await store.runs.job(jobId);
      if (!job) return;
      await store.runOutputs.setSummary({ job_id: jobId, step_number: stepNumber, run_id: job.run_id, markdown: await mask(jobId, markdown) });
      events.emit('run-updated', job.run_id);
    },
    ...runOutputFiles(store, { storage: o.storage, dataDir: o.dataDir }),
    onCancel(jobId, listener) {
      const handler = (id: string) => id === jobId && listener();
      events.on('job-cancel', handler);
      return () => events.off('job-cancel', handler);
    },
  };
}

/** The scheduler's claim as the runner sees it: plain values, no store rows. */
function toWire(c: JobClaim, token: string, logSeq: number): ClaimedJob {
  return {
    id: c.job.id,
    runId: c.run.id,
    project: c.project,
    sha: c.run.sha,
    ref: c.run.ref,
    name: c.job.name,
    spec: c.spec,
    // The workflow's own settings, and of its jobs only this one: a runner reads nothing else of
    // it, and a claim of a job in a large workflow no longer carries every other job's spec.
    workflow: { ...c.workflow, jobs: [c.spec] },
    contexts: { github: c.github, needs: c.needs, matrix: c.matrix, strategy: c.strategy, inputs: c.inputs, secrets: c.secrets, vars: c.vars },
    notes: c.notes,
    token,
    logSeq,
  };
}
