// `slipway run`: a workflow from the current directory, run on this machine by the same
// parser, planner, scheduler, runner and executors as the server — with an in-memory
// database, a snapshot of the working tree (uncommitted changes included, as `act` does)
// and a private registry for `slipway/build-image`. No server, no Docker needed for `run:`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cp, mkdtemp, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { EventBus } from '../core/events.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { createRun } from '../scheduler/start-run.ts';
import { Runner } from '../runner/runner.ts';
import { executorFactory } from '../runner/create-executor.ts';
import { inProcessRunnerApi } from '../runner/protocol/in-process.ts';
import { createRegistry } from '../registry/registry.ts';
import { createFsDriver } from '../storage/fs/fs-driver.ts';
import type { StoredPlan } from '../scheduler/stored-plan.ts';
import type { Job, Run } from '../store/repos/runs.ts';
import { isValidName } from '../core/ids.ts';
import { run as runCommand, runOrThrow } from '../exec/run.ts';
import type { RunActionSources } from '../git/actions/action-access.ts';
import { defaultRunnerLabels } from '../config/runner-labels.ts';
import { zeroSha } from '../core/types.ts';
import { commitAt, pushCommits } from '../git/push-commits.ts';
import { dispatchPayload, pushPayload, repositoryDispatchPayload, schedulePayload, type PayloadDeps } from '../triggers/event-payload.ts';
import type { Store } from '../store/store.ts';

/** The plan the command chose (all jobs, or --job / --matrix) and what it runs with. */
interface LocalRunOptions extends StoredPlan {
  dir: string;
  event: string;
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  /** `vars` context (--var). */
  vars: Record<string, string>;
  /** -P: `runs-on` label → image, `builtin` or `host`, over the built-in runner's default labels. */
  labels: Record<string, string>;
  /** --eventpath: `github.event` as given; otherwise built as the server builds it. */
  eventPayload?: Record<string, unknown>;
  /** Called with each log chunk as it arrives, tagged with the job key. */
  onLog: (jobKey: string, text: string) => void;
  onJob: (job: Job) => void;
  /** Where remote actions come from (the data dir's mirrors and cache, the configured sources). */
  actions?: RunActionSources;
}

/** GITHUB_SERVER_URL of a local run: no server, only the in-process runner API. */
const localServerUrl = 'http://127.0.0.1';

/** The snapshot repository's own branch (the run's ref is the working tree's branch). */
const snapshotBranch = 'slipway-run';

/** What `slipway run` says of a job whose labels its runner does not offer: it will never run. */
export const noLocalRunner = 'slipway run has no other runner: map the label to an image with -P LABEL=IMAGE (or -P LABEL=-self-hosted for this machine)';

/**
 * `github.event` of a local run, shaped as the server's (triggers/event-payload.ts): a push
 * of the snapshot commit as a new branch, a dispatch with the typed inputs, a schedule of the
 * workflow's first cron.
 */
async function localPayload(o: LocalRunOptions, store: Store, project: string, source: string, ref: string, sha: string, actor: string): Promise<Record<string, unknown>> {
  const gitDir = join(source, '.git');
  const deps: PayloadDeps = {
    store,
    // The URL the local runner gives GITHUB_SERVER_URL; nothing serves the web UI there.
    baseUrl: localServerUrl,
    git: {
      defaultBranch: async () => ref.replace(/^refs\/heads\//, ''),
      pushCommits: async (_project, _ref, before, after) => {
        const commits = await pushCommits(gitDir, `refs/heads/${snapshotBranch}`, before, after);
        return { commits, head: commits.at(-1) ?? (await commitAt(gitDir, after)) };
      },
      isAncestor: async () => true,
      branches: undefined,
    },
  };
  switch (o.event) {
    case 'workflow_dispatch':
      return dispatchPayload(deps, project, ref, o.inputs, o.workflow.file, actor);
    case 'schedule':
      return schedulePayload(deps, project, o.workflow.on.schedule?.[0]?.cron ?? '');
    case 'repository_dispatch':
      return repositoryDispatchPayload(deps, project, ref, o.workflow.on.repositoryDispatch?.types[0] ?? 'slipway-run', {}, actor);
    default:
      return pushPayload(deps, { project, ref, before: zeroSha, after: sha, pusher: actor });
  }
}

/** Copies the working tree (tracked and untracked, not ignored) into a fresh repository and commits it. */
async function snapshot(dir: string, into: string): Promise<{ sha: string; ref: string }> {
  const isRepo = existsSync(join(dir, '.git'));
  let ref = 'refs/heads/main';
  if (isRepo) {
    const { stdout } = await runOrThrow(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: dir });
    for (const file of stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(dir, file))) continue; // deleted in the working tree
      await mkdir(join(into, file, '..'), { recursive: true });
      await cp(join(dir, file), join(into, file), { verbatimSymlinks: true });
    }
    // Exit 1: a detached HEAD, which keeps the default ref.
    const branch = await runCommand(['git', 'symbolic-ref', '-q', 'HEAD'], { cwd: dir });
    if (branch.exitCode === 0 && branch.stdout.trim()) ref = branch.stdout.trim();
  } else {
    await cp(dir, into, { recursive: true, verbatimSymlinks: true });
  }
  const git = (...args: string[]) => runOrThrow(['git', '-c', 'user.name=slipway run', '-c', 'user.email=run@slipway.local', ...args], { cwd: into });
  await git('-c', `init.defaultBranch=${snapshotBranch}`, 'init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '--allow-empty', '-m', 'slipway run: working tree snapshot');
  return { sha: (await git('rev-parse', 'HEAD')).stdout.trim(), ref };
}

/** `github.actor` of a local run: the user running it, as their login. */
function localActor(): string {
  try {
    const name = userInfo().username;
    return /^[A-Za-z0-9][\w.-]*$/.test(name) ? name : 'slipway';
  } catch {
    return 'slipway'; // no passwd entry (a container's arbitrary uid)
  }
}

export async function runLocally(o: LocalRunOptions): Promise<{ run: Run; jobs: Job[] }> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-run-'));
  const db = openDatabase({ sqlitePath: ':memory:' });
  const registryServer = http.createServer();
  let runner: Runner | undefined;
  try {
    await migrate(db);
    const store = createStore(db);
    const events = new EventBus();
    const source = join(root, 'source');
    await mkdir(source);
    const { sha, ref } = await snapshot(o.dir, source);
    const name = basename(o.dir).toLowerCase().replace(/[^a-z0-9._-]/g, '-');
    const project = await store.projects.ensure(isValidName(name) ? name : 'local');

    // A private registry, so slipway/build-image builds and pushes exactly as on the server.
    const registry = createRegistry({ storage: createFsDriver({ root: join(root, 'registry') }) });
    registryServer.on('request', (req, res) => void registry.handle(req, res, new URL(req.url ?? '/', 'http://local')));
    await new Promise<void>((resolve) => registryServer.listen(0, '127.0.0.1', resolve));
    const registryHost = `127.0.0.1:${(registryServer.address() as AddressInfo).port}`;

    const scheduler = new Scheduler({ store, events, leaseMs: 60_000, secretsFor: async () => ({ secrets: o.secrets, notes: [] }), varsFor: async () => o.vars });
    // This machine's runner offers the built-in runner's default labels and those -P maps
    // (as act's -P); it is online before the run exists, so a job none of them fits fails at
    // once with the labels it asked for instead of waiting for a runner that never comes.
    const labels = { ...defaultRunnerLabels, ...o.labels };
    await store.runners.seen('local', Object.keys(labels));
    // Created exactly as the server creates runs (scheduler/start-run.ts), from the plan the
    // command chose.
    const actor = localActor();
    const payload = o.eventPayload ?? (await localPayload(o, store, project.name, source, ref, sha, actor));
    const facts = { actor, triggeringActor: actor, refProtected: false };
    const trigger = { project: project.name, ref, sha, event: o.event, payload, inputs: o.inputs, facts };
    const run = await createRun({ store, events, scheduler, log: () => {} }, trigger, o.workflow.file, o.workflow, { workflow: o.workflow, plan: o.plan });
    if (run.error) throw new Error(run.error);
    const keyOf = new Map((await store.runs.jobs(run.id)).map((j) => [j.id, j.key]));
    events.on('log', (stream, _seq, text) => o.onLog(keyOf.get(stream.replace(/^job:/, '')) ?? stream, text));
    events.on('run-updated', () => {
      void store.runs.jobs(run.id).then((jobs) => jobs.forEach(o.onJob));
    });
    const finished = new Promise<void>((resolve) => events.on('run-finished', () => resolve()));
    let sweeps = Promise.resolve();
    let open = true;
    const sweep = () => {
      if (!open) return;
      sweeps = sweeps.then(() => scheduler.sweepRunnerWaits({ now: noLocalRunner }).then(
        () => undefined,
        (err: Error) => void process.stderr.write(`slipway run: runner-wait sweep: ${err.stack ?? String(err)}\n`),
      ));
    };
    events.on('run-updated', sweep);
    sweep();

    runner = new Runner({
      api: inProcessRunnerApi({ runnerName: 'local', scheduler, store, events, dataDir: join(root, 'data'), sourceOf: () => source, registry: { host: registryHost, insecure: true }, actions: o.actions }),
      name: 'local',
      labels: Object.keys(labels),
      concurrency: 2,
      workDir: join(root, 'work'),
      serverUrl: localServerUrl,
      heartbeatMs: 20_000,
      // The default labels run in the built-in job image; -P maps others (or these) as act's does.
      createExecutor: executorFactory({ namePrefix: 'slipway-run', labels }),
      onError: (err) => process.stderr.write(`slipway run: ${(err as Error).stack ?? String(err)}\n`),
    });
    events.emit('jobs-available');
    runner.start();
    const interrupt = () => void scheduler.cancelRun(run.id);
    process.once('SIGINT', interrupt);
    await finished;
    process.off('SIGINT', interrupt);
    open = false;
    await sweeps;
    return { run: await store.runs.require(run.id), jobs: await store.runs.jobs(run.id) };
  } finally {
    await runner?.stop();
    registryServer.close();
    await db.destroy();
    await rm(root, { recursive: true, force: true });
  }
}
