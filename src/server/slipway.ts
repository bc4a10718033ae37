// Composition root: the one place that picks concrete implementations (SQLite store, fs
// registry storage, local container engine, shell/container executors, built-in runner)
// and wires them together. `slipway up` calls startSlipway; tests do too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { loadConfig, publicUrl, type Config } from '../config/config.ts';
import { openDatabase, migrate } from '../store/database.ts';
import { restrictDataDir } from '../store/data-dir.ts';
import { createStore, type Store } from '../store/store.ts';
import { ensureAdmin, ensureAdminPassword } from '../auth/bootstrap-admin.ts';
import { auditLog } from '../auth/audit.ts';
import { deployPullCredentials } from '../auth/tokens.ts';
import { GitHosting } from '../git/hosting.ts';
import { commitTimes } from '../git/commit-times.ts';
import { ActionSources } from '../git/actions/action-sources.ts';
import { runActionAccess } from '../git/actions/action-access.ts';
import { isValidName } from '../core/ids.ts';
import { createRegistry } from '../registry/registry.ts';
import { describeStorage, storageFromConfig } from '../storage/from-config.ts';
import { registryMaintenance } from './registry-maintenance.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { Runner } from '../runner/runner.ts';
import { executorFactory } from '../runner/create-executor.ts';
import { hostExecutorFactory, hostWorkDir, runnerLabels, withHostExecutor } from '../runner/executors/shell/host-executor.ts';
import { jobTempRoot, removeJobLeftovers } from '../runner/job-leftovers.ts';
import { ensureJobImage } from '../build/job-image/job-image.ts';
import { builtinJobImage } from '../config/runner-labels.ts';
import { ContainerEngine } from '../deploy/engine/container-engine.ts';
import { LocalShell } from '../deploy/targets/local/local-shell.ts';
import { DeployService } from '../deploy/service.ts';
import { deployStrategies, deployTargets, localProxies } from './deploy-wiring.ts';
import { jobSecretsFor } from '../deploy/deployment-secrets.ts';
import { JobApprovals, type GateMoves } from '../deploy/gate/job-approvals.ts';
import { protectionOptions } from './protection-wiring.ts';
import { sweepPeersLeftovers } from './peer-sweep.ts';
import { EventBus } from '../core/events.ts';
import { bridgeEvents } from '../store/postgres/event-bridge.ts';
import { relayRunnerChanges } from '../store/repos/runner-cache.ts';
import { serverPresence } from './server-presence.ts';
import { Secrets } from '../auth/secrets.ts';
import { loadOrCreateSecretsKey, secretsKeyPath } from '../auth/secrets-crypto.ts';
import { checkSecretsKey } from '../auth/secrets-key-check.ts';
import { createHandler } from './app.ts';
import { observeRequests, type RequestRecord } from './http/observe-requests.ts';
import { PrometheusMetrics } from './metrics/prometheus.ts';
import { routeLabel } from './metrics/route-label.ts';
import { logStateChanges, type LogRecord } from './state-log.ts';
import { Access } from '../auth/access.ts';
import { FailedAuthLimiter } from './http/failed-auth-limiter.ts';
import { apiRouter } from './routes/api-router.ts';
import { webUi } from './web-ui.ts';
import { inProcessRunnerApi } from '../runner/protocol/in-process.ts';
import { schedulePrune } from '../git/actions/action-cache-prune.ts';
import { formatDuration } from '../core/duration.ts';
import type { RunnerApi } from '../runner/protocol/runner-api.ts';
import { PushEvents } from '../triggers/push-events.ts';
import { pushFeedback } from '../triggers/push-feedback.ts';
import { ForgeLinks } from '../triggers/forge/forge-links.ts';
import { ForgeWebhooks } from '../triggers/forge/webhook.ts';
import { NotificationHooks } from '../notify/notification-hooks.ts';
import { Outbox } from '../notify/outbox.ts';
import { Reactions } from '../notify/reactions.ts';
import { everyMinute, runScheduled } from '../triggers/schedule.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { StartRunDeps } from '../scheduler/start-run.ts';
import { version } from '../core/version.ts';
import { matchesPatterns } from '../workflow/glob.ts';
import type { User } from '../store/repos/users.ts';
import type { ProjectRole } from '../git/push-policy.ts';

interface StartOptions {
  dataDir: string;
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** The clock of the schedule ticker (`on.schedule`) and of approval wait timers (deploy.yml `approval.wait`); tests inject one. */
  clock?: Clock;
  /** The built web UI (default: the repository's web/dist); tests point it at a directory of their own. */
  webDir?: string;
  /** Structured log lines (`slipway up --log-format json`): one per request and per state change. */
  logRecord?: LogRecord;
  /** A user's role on a project; until per-project roles land, tests inject one (default: the stand-in below). */
  roleOn?: (user: User, project: string) => Promise<ProjectRole | undefined>;
}

export interface Slipway {
  config: Config;
  url: string;
  port: number;
  store: Store;
  events: EventBus;
  /** Jobs' queue and leases (tests queue runs through it as triggers do). */
  scheduler: Scheduler;
  deploys: DeployService;
  adminToken: string;
  /** Resolves once every push, run and deployment triggered so far has been handled. */
  close(): Promise<void>;
}

/** With another server on the same registry storage, a partial write younger than this may be its write under way. */
const partialWriteAgeWithPeersMs = 60 * 60_000;

/** A random id per data dir: containers this installation deploys carry it as a label. */
function instanceId(dataDir: string): string {
  const file = join(dataDir, 'instance.id');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(8).toString('hex')}\n`);
  return readFileSync(file, 'utf8').trim();
}

export async function startSlipway(options: StartOptions): Promise<Slipway> {
  const log = options.log ?? ((m: string) => console.log(m));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const config = loadConfig({ dataDir: options.dataDir, env: options.env, overrides: { port: options.port, host: options.host } });
  const loosened = restrictDataDir(config.dataDir);
  if (loosened.length > 0) log(`data dir: made private again (0700/0600): ${loosened.join(', ')}`);
  const db = openDatabase(config.database.url ? { url: config.database.url } : { sqlitePath: join(config.dataDir, 'slipway.db') });
  const applied = await migrate(db);
  if (applied.length > 0) log(`database: applied migrations ${applied.join(', ')}`);
  const storage = await storageFromConfig(config);
  log(`storage: ${describeStorage(config)}`);
  // Ended logs move to the object store, but not onto this server's own files when servers
  // may share the database (PostgreSQL): another server could not read them there.
  const store = createStore(db, { objects: storage.sharedIsLocal && config.database.url ? undefined : storage.shared });
  const admin = await ensureAdmin(store, config.dataDir);
  if (admin.created) log(`created admin token in ${admin.tokenFile}`);
  const adminPassword = await ensureAdminPassword(store, config.dataDir);
  if (adminPassword.created) log(`web UI: sign in as admin with the initial password ${adminPassword.password} (kept in ${adminPassword.file} until changed: slipway users password admin)`);
  // Other servers on this database (PostgreSQL): start-up recovery leaves their live work alone.
  const presence = serverPresence(store, log, config.database.url !== undefined);
  const peers = await presence.start();
  const alone = peers.length === 0;
  if (!alone) log(`other servers on this database: ${peers.map((p) => `${p.host}:${p.pid}${p.url ? ` (${p.url})` : ''}`).join(', ')}; start-up recovery leaves their work alone`);
  const events = new EventBus();
  // Several servers on one PostgreSQL hear each other's events (LISTEN/NOTIFY); SQLite has one server.
  const bridge = config.database.url
    ? await bridgeEvents({ url: config.database.url, events, log, readLog: async (stream, seq) => (await store.logs.read(stream, seq - 1, 1)).find((c) => c.seq === seq)?.text })
    : undefined;
  // Runners' credentials and states are kept a few seconds per server: each server's changes reach the others (store/repos/runner-cache.ts).
  relayRunnerChanges(store.runnerCache, events);
  // Stand-in until per-project roles land (project_members): admins are admin, everyone
  // else maintainer on every project, which is what each user could do before.
  // A pusher's role for branch protection: admins are admins everywhere, others have their project role.
  const roleOn =
    options.roleOn ??
    (async (user: User, project: string) => {
      if (user.role === 'admin') return 'admin' as const;
      const p = await store.projects.get(project);
      return p ? access.roleIn(user, p) : undefined;
    });
  const access = new Access(store, { projectsCreate: config.projects.create });
  const git = new GitHosting({ root: config.git.root ?? join(config.dataDir, 'git'), log, protection: { rules: store.protectedBranches, roleOn, matches: (branch, pattern) => matchesPatterns(branch, [pattern]) } });
  const registry = createRegistry({ storage: storage.registry, log, sharedUse: config.database.url ? store.registryDigests : undefined });
  // Nothing writes yet here: every partial write is a crash's leftover, unless another
  // server shares the storage (then only writes older than any write takes); uploads go by age.
  const partialBefore = alone ? Date.now() : Date.now() - partialWriteAgeWithPeersMs;
  const partial = (await storage.registry.removePartialWrites(partialBefore)) + (await storage.shared.removePartialWrites(partialBefore));
  const purged = await registry.purgeUploads(config.registry.uploads.maxAge);
  if (partial + purged.bytes > 0) log(`registry: purged ${purged.uploads} abandoned upload(s) and partial writes, ${partial + purged.bytes} bytes`);
  const registryUpkeep = registryMaintenance({ registry, store, settings: config.registry, log });
  const secretsKey = loadOrCreateSecretsKey(config.dataDir, config.secrets.keyFile);
  await checkSecretsKey(store, secretsKey, config.secrets.keyFile ?? secretsKeyPath(config.dataDir));
  const secrets = new Secrets(store, secretsKey);
  // Code hosted elsewhere: forge links and notification hooks keep their secrets encrypted with the same key.
  const forgeLinks = new ForgeLinks(store, secretsKey);
  const notificationHooks = new NotificationHooks(store, secretsKey);
  const audit = auditLog(store);
  // Environment protection and approvals: the default branch, commit authors, people vs. service accounts.
  const protection = protectionOptions({ git, store, access, audit });
  const readFile = (p: string, sha: string, path: string) => git.readFile(p, sha, path);
  // Jobs naming a gated environment wait for approvals, by the same rules as deployments.
  const jobApprovals = new JobApprovals({ store, rules: { store, readFile, defaultBranch: protection.defaultBranch }, approvers: protection.approvers, scheduler: (): GateMoves => scheduler, log });
  const scheduler = new Scheduler({ store, events, leaseMs: config.leaseSeconds * 1000, secretsFor: jobSecretsFor(secrets, readFile), gate: jobApprovals });

  let ready = false;
  // Remote actions and reusable workflows: mirrors and projects here, then the configured git hosts.
  const actionSources = new ActionSources({
    sources: config.actions.sources.map((s) => (s === 'instance' ? { name: 'instance' } : s)),
    dir: join(config.dataDir, 'actions'),
    projectsOwner: config.actions.projectsOwner,
    projectRepo: (p) => (isValidName(p) && git.exists(p) ? git.repoPath(p) : undefined),
    timeoutMs: config.actions.fetchTimeoutSeconds * 1000,
    maxTreeBytes: config.actions.maxTreeBytes,
  });
  const runActions = { sources: actionSources, accessFor: (project: string, actor: string | undefined) => runActionAccess(store, access, project, actor) };
  // What starts runs: pushes, the API's dispatches and the schedule.
  const runStarter: StartRunDeps = { git, store, events, scheduler, log, parse: { allowOptions: config.runner.allowOptions, hostVolumes: config.runner.hostVolumes }, actions: runActions };
  const webhooks = new ForgeWebhooks({ store, git, links: forgeLinks, record: (event, delivery) => pushes.received(event, delivery), starter: runStarter });
  const protectedBranches = { branches: git.branches!, projectExists: async (p: string) => git.exists(p) || (await store.projects.get(p)) !== undefined };
  const limiter = new FailedAuthLimiter({ limit: config.failedAuth.limit, windowMs: config.failedAuth.windowSeconds * 1000 });
  // Work started by events (metrics, the state log, triggers) is tracked so close() can wait for it.
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // An ended log moves from the database to the object store (store/repos/log-archive.ts),
  // by the server where it ended (onLocal: the others hear of it too, and had each read the
  // job and raced to archive it); at start-up, the logs a crash (or an older version) left in
  // the database follow. Without an object store for logs, nothing to do (not even the read).
  const archiveLog = async (stream: string) => {
    if (await store.logs.ended(stream)) await store.logs.archive(stream);
  };
  const keptInDatabase = (what: string) => (err: Error) => log(`logs: ${what} stay in the database until the next start: ${err.message}`);
  if (store.logs.archiving) events.onLocal('stream-end', (stream) => track(archiveLog(stream).catch(keptInDatabase(stream))));
  track(store.logs.archiveEnded().then((n) => void (n > 0 && log(`logs: archived ${n} ended log(s) left in the database`)), keptInDatabase('ended logs')));
  const prometheus = new PrometheusMetrics({ store, events, onlineMs: () => scheduler.leaseMs, log, track });
  const stopMetrics = prometheus.start();
  const stopStateLog = options.logRecord ? logStateChanges({ store, events, record: options.logRecord, log, track }) : () => {};
  // Remote runners (`slipway runner`): one in-process RunnerApi per runner name behind the
  // /api/runner routes, made at its first call (the server's URL is known by then).
  const remoteRunners = new Map<string, RunnerApi>();
  let remoteRunnerApi = (name: string): RunnerApi => {
    throw new Error(`runner ${name} called before the server knew its URL`);
  };
  const api = apiRouter({ store, scheduler, runnerApiFor: (name) => remoteRunnerApi(name), jobApprovals, events, secrets, deploys: () => deploys, runStarter, dataDir: config.dataDir, storage: storage.shared, version, protectedBranches, access, audit, limiter, log, prometheus,
    commitTimes: async (project, shas) => (git.exists(project) ? commitTimes(git.repoPath(project), shas) : new Map()),
    forge: { links: forgeLinks, webhooks, hooks: notificationHooks },
    actionSources,
    registry: registryUpkeep,
  });
  const ui = webUi(options.webDir ?? fileURLToPath(new URL('../../web/dist', import.meta.url)));
  const logRecord = options.logRecord;
  const requestSinks = [prometheus.request, ...(logRecord ? [(r: RequestRecord) => logRecord({ msg: 'request', ...r, seconds: Number(r.seconds.toFixed(4)) })] : [])];
  const handler = observeRequests(createHandler({ store, access, git, registry, api, isReady: () => ready, log, audit, limiter, ui }), (method, path) => routeLabel(api, method, path), requestSinks);
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = publicUrl(config, port);
  presence.setUrl(url);
  // Event payloads carry the server's URLs (repository.html_url, clone_url): known from here on.
  runStarter.baseUrl = url;
  // Again, now that the database, the tokens and the secrets key exist on a first start.
  restrictDataDir(config.dataDir);
  // The built-in runner has no credential of its own: each job gets a token for its project
  // (src/auth/tokens.ts), each deployment a pull token. A token file older versions wrote goes.
  rmSync(join(config.dataDir, 'runner.token'), { force: true });
  const instance = instanceId(config.dataDir);
  const registryAccess = { host: new URL(url).host, insecure: new URL(url).protocol === 'http:' };
  // The one RunnerApi of a runner by name: the built-in runner's, and each remote runner's behind /api/runner.
  const runnerApiOf = (name: string): RunnerApi =>
    inProcessRunnerApi({ runnerName: name, scheduler, store, events, sourceOf: (p) => `${url}/git/${p}.git`, registry: registryAccess, storage: storage.shared, dataDir: config.dataDir, maxLogBytes: config.logs.maxJobBytes, actions: runActions });
  remoteRunnerApi = (name) => {
    let runnerApi = remoteRunners.get(name);
    if (!runnerApi) remoteRunners.set(name, (runnerApi = runnerApiOf(name)));
    return runnerApi;
  };

  const engine = new ContainerEngine({ shell: new LocalShell() });
  const local = { engine, proxies: localProxies({ engine, dataDir: config.dataDir, instance }) };
  const targets = deployTargets({ store, local, registryHost: registryAccess.host, instance, dataDir: config.dataDir });
  const deploys = new DeployService({ store, events, readFile: (p, sha, path) => git.readFile(p, sha, path), isAncestor: (p, a, d) => git.isAncestor(p, a, d), registry: { insecure: registryAccess.insecure, pullCredential: deployPullCredentials(store), holds: (r, d) => registry.hasManifest(r, d) }, instance, log, secrets, clock: options.clock, ...protection, targets, strategies: deployStrategies(), local });

  // Triggers: pushes start runs; finished runs start deployments (tracked, as above).
  // Pushes are recorded before git's answer ends (durable), then processed into runs.
  const pushes = new PushEvents({ ...runStarter, git, track, checkCommit: (project, sha) => deploys.configErrors(project, sha), noteCommit: (project, ref, sha) => deploys.protection.notes(project, ref, sha) });
  git.onPush((event) => pushes.received(event));
  // `git push` prints the runs it started (`remote: run hello#3 queued: <url>`).
  git.onPushed(pushFeedback({ store, runsOf: (event) => pushes.runsOf(event), baseUrl: url }));
  // Commit statuses back to the forge and notifications, for every run and deployment.
  const outbox = new Outbox({ store, log, track });
  const stopReactions = new Reactions({ store, events, links: forgeLinks, hooks: notificationHooks, outbox, baseUrl: url, log, track }).start();
  // The server where the run finished deploys it (onLocal), not every server that hears of it.
  events.onLocal('run-finished', (runId) => track(deploys.onRunFinished(runId).catch((err) => log(`deploy after run ${runId}: ${(err as Error).message}`))));

  // Per data dir, not per host: a server recovers only its own built-in runner's jobs, never
  // those of another server on the same host (other servers' runners are left to their leases).
  const runnerName = `builtin-${hostname()}-${instance.slice(0, 8)}`;
  const recovered = await scheduler.recover(runnerName);
  if (recovered > 0) log(`${recovered} job attempt(s) interrupted by a crash: re-queued as new attempts (or failed: retry-on-crash: false)`);
  // No job runs yet: what jobs left on disk (a crash, a killed stop) goes now.
  const workDir = config.runner.host ? hostWorkDir(instance) : join(config.dataDir, 'work');
  const tempRoot = jobTempRoot(instance);
  const leftovers = removeJobLeftovers({ workDir, tempRoot });
  if (leftovers > 0) log(`removed ${leftovers} folder(s) interrupted jobs left`);
  const missedPushes = await pushes.recover({ peersAlive: !alone });
  if (missedPushes.pending > 0) log(`processing ${missedPushes.pending} push event(s) a stop left pending`);
  // Deployments hold no record of their server: with another server alive, one cut off here
  // cannot be told from one deploying there, so recovery waits for a start with no other server.
  if (alone) await deploys.restore();
  else log('deploy recovery: skipped while another server runs (deployments cut off by a crash are failed at the next start with no other server)');
  // `on.schedule`: every minute at :00, the default branches' scheduled workflows.
  const stopSchedule = everyMinute(options.clock ?? systemClock, (at) => track(runScheduled(runStarter, at, presence.id).catch((err) => log(`schedule: ${(err as Error).stack}`))));
  const stopRegistryUpkeep = registryUpkeep.schedule();
  // With other servers possible (PostgreSQL), what one of them left when it died is taken up.
  const stopPeerSweep = config.database.url ? sweepPeersLeftovers({ store, events, pushes, deploys, log }) : () => {};
  // Action trees unused for actions.cacheMaxAge go, except those of runs not finished (now, then daily).
  const pruneActions = async () => {
    const removed = await actionSources.prune({ maxAgeMs: config.actions.cacheMaxAge, inUse: await store.runActions.unfinishedShas() });
    if (removed.length > 0) log(`action cache: removed ${removed.length} tree(s) unused for ${formatDuration(config.actions.cacheMaxAge)}`);
  };
  const stopActionPrune = schedulePrune(pruneActions, log, track);
  // The same sweep opens the gates of approved jobs whose wait timer ran out.
  const leaseSweep = setInterval(() => void Promise.all([scheduler.requeueExpired(), scheduler.openTimedGates()]).catch((err) => log(`lease sweep: ${(err as Error).stack ?? String(err)}`)), Math.min(10_000, config.leaseSeconds * 500));
  // Jobs no online runner can take say so, and fail after runner.queueTimeout; checked a few times per timeout.
  const runnerWaitSweep = setInterval(
    () => void scheduler.sweepRunnerWaits(config.runner.queueTimeout).catch((err) => log(`runner-wait sweep: ${(err as Error).stack ?? String(err)}`)),
    Math.max(250, Math.min(5000, config.runner.queueTimeout / 4)),
  );

  let runner: Runner | undefined;
  if (config.runner.enabled) {
    // One isolated host executor (one set of job users) for `host` jobs, when an admin allows them.
    const hostJobs = config.runner.host ? hostExecutorFactory({ tempRoot }) : undefined;
    const builtinLabels = runnerLabels(Object.keys(config.runner.labels), config.runner.host);
    // `slipway runners` shows the built-in runner's jobs at once and version as a remote runner's hello does.
    await store.runners.seen(runnerName, builtinLabels);
    await store.runners.describe(runnerName, { concurrency: config.runner.concurrency, version });
    runner = new Runner({
      // Jobs fetch over HTTP with their own token, like any git client: nothing reads the data dir for them.
      api: runnerApiOf(runnerName),
      name: runnerName,
      labels: builtinLabels,
      concurrency: config.runner.concurrency,
      // Host jobs' users must reach their job directories, and the data dir is 0700.
      workDir,
      serverUrl: url,
      heartbeatMs: Math.max(1000, (config.leaseSeconds * 1000) / 3),
      createExecutor: withHostExecutor({ enabled: config.runner.host, host: hostJobs }, executorFactory({ namePrefix: 'slipway-job', labels: config.runner.labels, host: hostJobs, tempRoot })),
      onError: (err) => log(`runner: ${(err as Error).stack ?? String(err)}`),
    });
    runner.start();
    // Made now rather than by the first job, so the first push does not wait for it.
    if (Object.values(config.runner.labels).includes(builtinJobImage)) {
      track(ensureJobImage((text) => log(text.trimEnd())).catch((err) => log(`job image: ${(err as Error).message}`)));
    }
  }
  ready = true;

  return {
    config,
    url,
    port,
    store,
    events,
    scheduler,
    deploys,
    adminToken: admin.token,
    async close() {
      ready = false;
      clearInterval(leaseSweep);
      stopPeerSweep();
      clearInterval(runnerWaitSweep);
      stopSchedule();
      stopRegistryUpkeep();
      stopActionPrune();
      await runner?.stop(config.shutdownTimeoutSeconds * 1000);
      // Jobs still held were killed by the timeout and left unreported: each runs again as its next attempt.
      if (runner) await scheduler.interruptHeld(runnerName);
      stopReactions();
      stopMetrics();
      stopStateLog();
      outbox.close();
      await Promise.allSettled([...pending]);
      await registryUpkeep.idle();
      deploys.gate.close();
      await deploys.close();
      await bridge?.close();
      await presence.stop();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long-lived requests (log streams) must not hold shutdown up.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      await db.destroy();
    },
  };
}
