// Reactions to what runs and deployments do (issue 12 item 5): each change of a run's or a
// deployment's state becomes a commit status on the forge the project mirrors (when a
// maintainer gave it a token), and each outcome a notification to the project's hooks.
// Events of one run (or deployment) are handled one at a time, in order, and a state is
// reported once; sending goes through the Outbox, so nothing here ever holds a run up.
// A run changes many times a second under load ('run-updated' as each job starts a step or
// ends), so the events are coalesced: a report waits `gatherMs` (a commit status a quarter
// of a second later is no loss) and its turn, further events for the subject meanwhile add
// nothing (the waiting report reads the newest state when it starts), and a report whose
// state is the one last reported stops after reading the run, before the project.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from '../core/events.ts';
import type { DeploymentStatus, RunStatus } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { ForgeLinks } from '../triggers/forge/forge-links.ts';
import type { Outbox } from './outbox.ts';
import { statusRequest, type ReportedState } from './commit-status.ts';
import { signature, type NotificationHooks } from './notification-hooks.ts';
import { deploymentUrl, runUrl } from '../core/run-urls.ts';

interface ReactionsDeps {
  store: Store;
  events: EventBus;
  links: ForgeLinks;
  hooks: NotificationHooks;
  outbox: Outbox;
  /** The server's public URL, for links back. */
  baseUrl: string;
  log: (message: string) => void;
  track: (work: Promise<unknown>) => void;
  /** How long a report waits for more events of its subject before reading its state (default 250 ms). */
  gatherMs?: number;
}

const runState: Record<RunStatus, ReportedState> = { queued: 'pending', waiting: 'pending', running: 'running', success: 'success', failure: 'failure', cancelled: 'cancelled', skipped: 'success' };
const deploymentState: Record<DeploymentStatus, ReportedState> = { waiting_for_approval: 'pending', queued: 'pending', running: 'running', success: 'success', failure: 'failure', rejected: 'cancelled', superseded: 'cancelled' };
const finished = new Set<ReportedState>(['success', 'failure', 'cancelled']);
/** Subjects whose last reported state is remembered; the oldest are forgotten past it (at worst, one state reported twice). */
const rememberedSubjects = 10_000;

/** What a notification says about one outcome. */
interface Outcome {
  event: 'run' | 'deployment';
  projectId: string;
  project: string;
  subject: string;
  /** A run's attempt: a re-run's states are reported again, even the same outcome. */
  attempt?: number;
  sha: string;
  state: ReportedState;
  status: string;
  url: string;
  title: string;
  context: string;
  fields: Record<string, unknown>;
}

export class Reactions {
  readonly #d: ReactionsDeps;
  /** Subject → what was last reported for it (`#mark`), finished ones too, oldest first. */
  readonly #last = new Map<string, string>();
  readonly #chains = new Map<string, Promise<unknown>>();
  /** Subjects with a report queued that has not started yet. */
  readonly #waiting = new Set<string>();
  /** Aborted at stop: reports still gathering events go now, so a shutdown does not wait for them. */
  readonly #stopped = new AbortController();

  constructor(deps: ReactionsDeps) {
    this.#d = deps;
  }

  /** Subscribes to the event bus; returns the unsubscribe. */
  start(): () => void {
    const onRun = (id: string) => this.#serial(`run ${id}`, () => this.#run(id));
    const onDeployment = (id: string) => this.#serial(`deployment ${id}`, () => this.#deployment(id));
    // The server that made a change reports it (onLocal): one commit status, one notification.
    const offs = [this.#d.events.onLocal('run-updated', onRun), this.#d.events.onLocal('deployment-updated', onDeployment)];
    return () => {
      offs.forEach((off) => off());
      this.#stopped.abort();
    };
  }

  #serial(key: string, work: () => Promise<void>): void {
    // A report still waiting its turn reads the state when it starts: it covers this event too.
    if (this.#waiting.has(key)) return;
    this.#waiting.add(key);
    const start = async () => {
      await sleep(this.#d.gatherMs ?? 250, undefined, { signal: this.#stopped.signal }).catch((err: Error) => {
        if (err.name !== 'AbortError') throw err; // the stop ends the gathering: report now
      });
      this.#waiting.delete(key);
      return work();
    };
    const next = (this.#chains.get(key) ?? Promise.resolve()).then(start).catch((err: unknown) => this.#d.log(`reactions: ${key}: ${(err as Error).stack ?? String(err)}`));
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    this.#d.track(next);
  }

  async #run(id: string): Promise<void> {
    const { store } = this.#d;
    const run = await store.runs.get(id);
    if (!run) return;
    const state = runState[run.status];
    const subject = `run ${id}`;
    // Reported already (most events: a job started or ended, the run's state stayed): nothing more to read.
    if (this.#last.get(subject) === this.#mark(state, run.attempt)) return;
    const project = await store.projects.byId(run.project_id);
    if (!project) return;
    const name = run.title ?? run.name;
    await this.#report({
      event: 'run',
      projectId: project.id,
      project: project.name,
      subject,
      attempt: run.attempt,
      sha: run.sha,
      state,
      status: run.status,
      url: runUrl(this.#d.baseUrl, project.name, run.number),
      title: `run ${project.name}#${run.number} (${name}) ${run.status}`,
      context: `slipway/${run.name}`,
      fields: { run: { id: run.id, number: run.number, workflow: run.workflow, name, event: run.event, ref: run.ref, attempt: run.attempt } },
    });
  }

  async #deployment(id: string): Promise<void> {
    const { store } = this.#d;
    const d = await store.deployments.get(id);
    const release = d && (await store.releases.get(d.release_id));
    const project = d && (await store.projects.byId(d.project_id));
    if (!d || !release || !project) return;
    await this.#report({
      event: 'deployment',
      projectId: project.id,
      project: project.name,
      subject: `deployment ${id}`,
      sha: release.sha,
      state: deploymentState[d.status],
      status: d.status,
      url: deploymentUrl(this.#d.baseUrl, project.name, d.number),
      title: `deployment ${project.name}#${d.number} to ${d.environment} ${d.status.replaceAll('_', ' ')}`,
      context: `slipway/deploy/${d.environment}`,
      fields: { deployment: { id: d.id, number: d.number, environment: d.environment, image: `${release.image}@${release.digest}`, trigger: d.trigger, triggeredBy: d.triggered_by } },
    });
  }

  #mark(state: ReportedState, attempt?: number): string {
    return `${attempt ?? ''}:${state}`;
  }

  async #report(o: Outcome): Promise<void> {
    const mark = this.#mark(o.state, o.attempt);
    if (this.#last.get(o.subject) === mark) return;
    // Finished subjects are remembered too: a run's later 'run-updated' (a job that ended
    // after the run was cancelled) must not report its outcome again, nor notify twice.
    this.#last.delete(o.subject);
    this.#last.set(o.subject, mark);
    if (this.#last.size > rememberedSubjects) this.#last.delete(this.#last.keys().next().value!);
    const link = await this.#d.links.get(o.project);
    if (link?.token) {
      const r = statusRequest({ ...link, token: link.token }, o.sha, { state: o.state, context: o.context, description: o.title, targetUrl: o.url });
      void this.#d.outbox.send({ projectId: o.projectId, target: 'status', url: r.url, shownUrl: r.url, subject: o.subject, state: r.state, headers: r.headers, body: r.body });
    }
    if (!finished.has(o.state)) return;
    for (const hook of await this.#d.hooks.active(o.projectId)) {
      const body = JSON.stringify(hook.kind === 'slack' ? { text: `${o.title}: <${o.url}|details> (${o.sha.slice(0, 7)})` } : { event: o.event, project: o.project, status: o.status, sha: o.sha, url: o.url, ...o.fields });
      const headers = { 'x-slipway-event': o.event, 'x-slipway-signature-256': signature(hook.secret, body) };
      void this.#d.outbox.send({ projectId: o.projectId, target: hook.id, url: hook.url, shownUrl: hook.shownUrl, subject: o.subject, state: o.status, headers, body });
    }
  }
}
