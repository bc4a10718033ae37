// Composition root: the one place that picks concrete implementations (SQLite store, fs
// registry storage, local container engine, shell/container executors, built-in runner)
// and wires them together. `slipway up` calls startSlipway; tests do too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { loadConfig, publicUrl, type Config } from '../config/config.ts';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore, type Store } from '../store/store.ts';
import { ensureAdmin, ensureUserToken } from '../auth/bootstrap-admin.ts';
import { GitHosting } from '../git/hosting.ts';
import { createRegistry } from '../registry/registry.ts';
import { createFsDriver } from '../registry/storage/fs/fs-driver.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { Runner } from '../runner/runner.ts';
import { executorFactory } from '../runner/create-executor.ts';
import { ensureJobImage } from '../build/job-image/job-image.ts';
import { builtinJobImage } from '../config/runner-labels.ts';
import { ContainerEngine } from '../deploy/engine/container-engine.ts';
import { LocalRunner } from '../deploy/targets/local/local-runner.ts';
import { DeployService } from '../deploy/deploy-service.ts';
import { EventBus } from '../core/events.ts';
import { Secrets } from '../auth/secrets.ts';
import { loadOrCreateSecretsKey } from '../auth/secrets-crypto.ts';
import { createHandler } from './app.ts';
import { apiRouter } from './routes/api-router.ts';
import { inProcessRunnerApi } from '../runner/protocol/in-process.ts';
import { PushEvents } from '../triggers/push-events.ts';
import { everyMinute, runScheduled } from '../triggers/schedule.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { StartRunDeps } from '../scheduler/start-run.ts';
import { version } from '../core/version.ts';

export interface StartOptions {
  dataDir: string;
  port?: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** The clock of the schedule ticker (`on.schedule`) and of approval wait timers (deploy.yml `approval.wait`); tests inject one. */
  clock?: Clock;
}

export interface Slipway {
  config: Config;
  url: string;
  port: number;
  store: Store;
  events: EventBus;
  deploys: DeployService;
  adminToken: string;
  /** Resolves once every push, run and deployment triggered so far has been handled. */
  close(): Promise<void>;
}

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
  const db = openDatabase({ sqlitePath: join(config.dataDir, 'slipway.db') });
  const applied = await migrate(db);
  if (applied.length > 0) log(`database: applied migrations ${applied.join(', ')}`);
  const store = createStore(db);
  const admin = await ensureAdmin(store, config.dataDir);
  if (admin.created) log(`created admin token in ${admin.tokenFile}`);
  const events = new EventBus();
  const git = new GitHosting({ root: join(config.dataDir, 'git'), log });
  const registry = createRegistry({ storage: createFsDriver({ root: join(config.dataDir, 'registry') }), log });
  const scheduler = new Scheduler({ store, events, leaseMs: config.leaseSeconds * 1000 });

  let ready = false;
  const secrets = new Secrets(store, loadOrCreateSecretsKey(config.dataDir));
  // What starts runs: pushes, the API's dispatches and the schedule.
  const runStarter: StartRunDeps = { git, store, events, scheduler, log };
  const api = apiRouter({ store, scheduler, events, secrets, deploys: () => deploys, runStarter, dataDir: config.dataDir, version });
  const server = http.createServer(createHandler({ store, git, registry, api, isReady: () => ready, log }));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = publicUrl(config, port);
  // The built-in runner's own credential, kept in the data dir so a restart reuses it.
  const runnerToken = await ensureUserToken(store, join(config.dataDir, 'runner.token'), 'builtin-runner', 'member', 'builtin-runner');
  const registryAccess = { host: new URL(url).host, username: 'slipway', password: runnerToken.token, insecure: new URL(url).protocol === 'http:' };

  const engine = new ContainerEngine({ runner: new LocalRunner() });
  // approval.not_author: the commit's author, read from the repository.
  const commitAuthor = async (project: string, sha: string) => {
    const c = await git.commitInfo(project, sha);
    return { name: c.authorName, email: c.authorEmail };
  };
  const deploys = new DeployService({ store, events, engine, readFile: (p, sha, path) => git.readFile(p, sha, path), registry: registryAccess, proxyHost: '127.0.0.1', instance: instanceId(config.dataDir), log, secrets, clock: options.clock, commitAuthor, dataDir: config.dataDir });

  // Triggers: pushes start runs; finished runs start deployments. Each is tracked so
  // close() can wait for work already under way.
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // Pushes are recorded before git's answer ends (durable), then processed into runs.
  const pushes = new PushEvents({ ...runStarter, git, track, checkCommit: (project, sha) => deploys.configErrors(project, sha) });
  git.onPush((event) => pushes.received(event));
  events.on('run-finished', (runId) => track(deploys.onRunFinished(runId).catch((err) => log(`deploy after run ${runId}: ${(err as Error).message}`))));

  const runnerName = `builtin-${hostname()}`;
  const recovered = await scheduler.recover(runnerName);
  if (recovered > 0) log(`re-queued ${recovered} job(s) interrupted by the last shutdown`);
  const missedPushes = await pushes.recover();
  if (missedPushes.pending > 0) log(`processing ${missedPushes.pending} push event(s) a stop left pending`);
  await deploys.restore();
  // `on.schedule`: every minute at :00, the default branches' scheduled workflows.
  const stopSchedule = everyMinute(options.clock ?? systemClock, (at) => track(runScheduled(runStarter, at).catch((err) => log(`schedule: ${(err as Error).stack}`))));
  const leaseSweep = setInterval(() => void scheduler.requeueExpired().catch((err) => log(`lease sweep: ${(err as Error).stack ?? String(err)}`)), Math.min(10_000, config.leaseSeconds * 500));

  let runner: Runner | undefined;
  if (config.runner.enabled) {
    runner = new Runner({
      api: inProcessRunnerApi({ runnerName, scheduler, store, events, sourceOf: (p) => git.repoPath(p), registry: registryAccess, dataDir: config.dataDir }),
      name: runnerName,
      labels: Object.keys(config.runner.labels),
      concurrency: config.runner.concurrency,
      workDir: join(config.dataDir, 'work'),
      serverUrl: url,
      heartbeatMs: Math.max(1000, (config.leaseSeconds * 1000) / 3),
      createExecutor: executorFactory({ namePrefix: 'slipway-job', labels: config.runner.labels }),
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
    deploys,
    adminToken: admin.token,
    async close() {
      ready = false;
      clearInterval(leaseSweep);
      stopSchedule();
      await runner?.stop();
      await Promise.allSettled([...pending]);
      deploys.gate.close();
      await deploys.close();
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
