// Deployments as records: which release goes to which environment, triggered by what,
// with its log and outcome. Follows finished runs (continuous deployment to environments
// that track the run's branch), holds one lock per environment so deployments to the same
// environment never overlap (in this process: a queue; across processes: a lease row,
// environment-lock.ts), passes the environment's secrets and masks them in the log, and
// re-attaches the proxies after a restart.
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Project } from '../store/repos/projects.ts';
import type { EventBus } from '../core/events.ts';
import type { ContainerEngine } from './engine/container-engine.ts';
import { deployConfigFile, environmentsForBranch, type DeployConfig, type EnvironmentConfig } from './config/deploy-config.ts';
import { parseDeployConfig } from './config/parse-deploy-config.ts';
import { labels as engineLabels } from './engine/engine.ts';
import { builtInProxy } from './proxy/environment-proxy.ts';
import { defaultPublish, localSession, sshSession } from './targets/host-sessions.ts';
import { rollout, type HostSession } from './strategies/rollout.ts';
import { ensurePlatformKey } from './targets/ssh/platform-key.ts';
import { parseSshUrl } from './targets/ssh/ssh-url.ts';
import { ProxyServer } from './proxy/builtin/proxy-server.ts';
import { SlipwayError, formatDiagnostic } from '../core/errors.ts';
import { maskSecrets, type Secrets } from '../auth/secrets.ts';
import { acquireEnvironmentLock, defaultLockTiming, newHolderId, releaseDeadLocks, type LockTiming } from './gate/environment-lock.ts';
import { ApprovalGate, gateRule, type ApprovalGateOptions } from './gate/approval-gate.ts';
import { checkBranchAllowed } from './config/branch-policy.ts';
import type { User } from '../store/repos/users.ts';

export interface DeployServiceOptions {
  store: Store;
  events: EventBus;
  engine: ContainerEngine;
  readFile: (project: string, sha: string, path: string) => Promise<string | undefined>;
  registry: { host: string; username: string; password: string; insecure: boolean };
  /** Address the environment proxies listen on. */
  proxyHost: string;
  /** This installation's id, labelled on every container it deploys. */
  instance: string;
  log: (message: string) => void;
  /** Per-environment secrets (deploy.yml `env.secret`); without it, listing a secret fails the deploy. */
  secrets?: Secrets;
  lockTiming?: LockTiming;
  /** Where the platform's SSH key lives (DATA/ssh/id_ed25519). */
  dataDir: string;
  /** Limit for reaching an SSH host (connect + handshake); default 10 s. */
  sshTimeoutMs?: number;
  /** The approval gate's wait-timer clock (tests inject one). */
  clock?: ApprovalGateOptions['clock'];
  /** A commit's author, for approval.not_author (see approval-gate.ts). */
  commitAuthor?: ApprovalGateOptions['commitAuthor'];
}

export interface DeployOptions {
  /** An admin forcing a rollback past the approval gate (checked by the caller; recorded as their decision). */
  forcedBy?: User;
}

/** Who holds an environment's lock, for a queued deployment's view. */
export interface LockView {
  holder: string;
  deployment: { id: string; number: number | null };
  acquiredAt: string;
  expiresAt: string;
}

/** Where a deployment goes: an environment as the release's own deploy.yml defines it. */
export interface DeployTarget {
  config: DeployConfig;
  env: EnvironmentConfig;
}

export class DeployService {
  readonly #o: DeployServiceOptions;
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #proxies = new Map<string, { proxy: ProxyServer; port: number }>();
  readonly #closing = new AbortController();
  /** Read from DATA/ssh once, on the first SSH deployment. */
  #platformKey: ReturnType<typeof ensurePlatformKey> | undefined;
  /** This process's name in lock rows. */
  readonly holder = newHolderId();
  /** deploy.yml `approval:` in front of each environment's queue. */
  readonly gate: ApprovalGate;

  constructor(options: DeployServiceOptions) {
    this.#o = options;
    const { store, events, log, clock, commitAuthor } = options;
    this.gate = new ApprovalGate({ store, events, log, clock, commitAuthor, configAt: (project, sha) => this.configAt(project, sha) });
  }

  /** After a successful run on a branch, deploy its release to the environments following that branch. */
  async onRunFinished(runId: string): Promise<Deployment[]> {
    const { store } = this.#o;
    const run = await store.runs.require(runId);
    if (run.status !== 'success' || !run.ref.startsWith('refs/heads/')) return [];
    const project = (await store.projects.byId(run.project_id))!;
    // The release is built from run.sha, so this is the release's own deploy.yml.
    const config = await this.configAt(project.name, run.sha);
    if (!config) return [];
    const envs = environmentsForBranch(config, run.ref.slice('refs/heads/'.length));
    if (envs.length === 0) return [];
    const release = (await store.releases.forRun(run.id)).at(-1);
    if (!release) {
      this.#o.log(`run #${run.number} of ${project.name} built no release (no slipway/build-image step): nothing to deploy`);
      return [];
    }
    const out: Deployment[] = [];
    for (const env of envs) out.push(await this.deploy(project, { config, env }, release, 'push', 'slipway'));
    return out;
  }

  /**
   * Records a deployment and queues it behind any other deployment of the same environment;
   * in a gated environment it first waits for approval (outside the queue) unless an admin
   * forced it. `target` comes from deploy.yml at `release.sha` (configAt), read once by the
   * caller. A release from a branch the environment does not allow is refused (BRANCH_NOT_ALLOWED).
   */
  async deploy(project: Project, target: DeployTarget, release: Release, trigger: string, triggeredBy: string, options: DeployOptions = {}): Promise<Deployment> {
    checkBranchAllowed(target.env, release);
    const { store } = this.#o;
    const deployment = await store.deployments.create({ project_id: project.id, environment: target.env.name, release_id: release.id, trigger, triggered_by: triggeredBy });
    const rule = gateRule(target.env);
    if (rule && !options.forcedBy) {
      await this.gate.hold(deployment, project.name, release, rule, () => this.#enqueue(deployment, project.name, release, target));
      return (await store.deployments.get(deployment.id)) ?? deployment;
    }
    if (rule && options.forcedBy) await this.gate.recordBypass(deployment, options.forcedBy);
    this.#enqueue(deployment, project.name, release, target);
    return deployment;
  }

  /** Onto the environment's lock chain: runs after the deployments queued before it. */
  #enqueue(deployment: Deployment, project: string, release: Release, target: DeployTarget): void {
    this.#o.events.emit('deployment-updated', deployment.id);
    const key = `${project}/${target.env.name}`;
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#execute(deployment, project, release, target));
    this.#locks.set(key, next.catch(() => {}));
  }

  /** After a restart: a deployment waiting for approval waits again, its timer counted from its creation. */
  async #resumeAtGate(d: Deployment): Promise<void> {
    const { store } = this.#o;
    try {
      const project = await store.projects.byId(d.project_id);
      const release = await store.releases.get(d.release_id);
      if (!project || !release) throw new Error('its project or release no longer exists');
      const config = await this.configAt(project.name, release.sha);
      const env = config?.environments.find((e) => e.name === d.environment);
      const rule = env && gateRule(env);
      if (!config || !env || !rule) throw new Error(`deploy.yml at ${release.sha.slice(0, 7)} no longer gates ${d.environment}`);
      await this.gate.hold(d, project.name, release, rule, () => this.#enqueue(d, project.name, release, { config, env }));
    } catch (err) {
      await store.deployments.update(d.id, { status: 'failure', error: `could not resume waiting for approval: ${(err as Error).message}`, finished_at: new Date().toISOString() });
      this.#o.events.emit('deployment-updated', d.id);
    }
  }

  /** Resolves when the deployment has finished (for tests and the CLI's --wait). */
  async settled(projectName: string, environment: string): Promise<void> {
    await this.#locks.get(`${projectName}/${environment}`);
  }

  /** The lock of a deployment's environment while the deployment waits for it. */
  async lockView(deployment: Deployment): Promise<LockView | undefined> {
    if (deployment.status !== 'queued') return undefined;
    const lock = await this.#o.store.environmentLocks.get(deployment.project_id, deployment.environment);
    if (!lock || lock.deployment_id === deployment.id) return undefined;
    const holding = await this.#o.store.deployments.get(lock.deployment_id);
    return { holder: lock.holder, deployment: { id: lock.deployment_id, number: holding?.number ?? null }, acquiredAt: lock.acquired_at, expiresAt: lock.lease_expires_at };
  }

  /** The errors of deploy.yml at a commit, one `file:line:col: message` a line; undefined when valid or absent. */
  async configErrors(project: string, sha: string): Promise<string | undefined> {
    const text = await this.#o.readFile(project, sha, deployConfigFile);
    if (text === undefined) return undefined;
    const { diagnostics } = parseDeployConfig(deployConfigFile, text);
    return diagnostics.length > 0 ? diagnostics.map(formatDiagnostic).join('\n') : undefined;
  }

  /** deploy.yml at a commit (undefined when the commit has none); invalid files throw DEPLOY_CONFIG_INVALID. */
  async configAt(project: string, sha: string): Promise<DeployConfig | undefined> {
    const text = await this.#o.readFile(project, sha, deployConfigFile);
    if (text === undefined) return undefined;
    const { config, diagnostics } = parseDeployConfig(deployConfigFile, text);
    if (!config) throw new SlipwayError('DEPLOY_CONFIG_INVALID', diagnostics.map(formatDiagnostic).join('\n'));
    return config;
  }

  async #execute(deployment: Deployment, project: string, release: Release, { config, env }: DeployTarget): Promise<void> {
    const { store, events } = this.#o;
    const stream = `deployment:${deployment.id}`;
    let seq = 0;
    let start = Date.now();
    // Filled once the secrets are read; every line and the error are masked with them.
    let secretValues: string[] = [];
    const mask = (text: string) => maskSecrets(text, secretValues);
    // Each line carries the time since the deployment started: the log is also its timeline.
    const log = (line: string) => {
      const text = mask(`[${((Date.now() - start) / 1000).toFixed(3).padStart(7)}s] ${line}\n`);
      const n = seq++;
      void store.logs.append(stream, n, text).then(() => events.emit('log', stream, n, text));
    };
    let lock: Awaited<ReturnType<typeof acquireEnvironmentLock>> | undefined;
    try {
      lock = await acquireEnvironmentLock(store, {
        projectId: deployment.project_id,
        environment: deployment.environment,
        deploymentId: deployment.id,
        holder: this.holder,
        timing: this.#o.lockTiming ?? defaultLockTiming,
        signal: this.#closing.signal,
        onWait: (current) => {
          log(`Queued: ${deployment.environment} is locked by deployment ${current.deployment_id} (${current.holder}, lease until ${current.lease_expires_at})`);
          events.emit('deployment-updated', deployment.id);
        },
      });
      start = Date.now();
      await store.deployments.update(deployment.id, { status: 'running', started_at: new Date(start).toISOString() });
      events.emit('deployment-updated', deployment.id);
      let secretEnv: Record<string, string> = {};
      if (config.env.secret.length > 0) {
        if (!this.#o.secrets) throw new SlipwayError('SECRET_MISSING', `deploy.yml lists secrets (${config.env.secret.join(', ')}) but this server has no secret store`);
        secretEnv = await this.#o.secrets.resolve(deployment.project_id, project, env.name, config.env.secret);
        secretValues = Object.values(secretEnv);
        log(`Secrets: ${config.env.secret.join(', ')}`);
      }
      log(`Deploying ${release.image}@${release.digest} (commit ${release.sha.slice(0, 7)}) to ${deployment.environment} on ${env.hosts.join(', ')}`);
      const before = await store.deployments.state(deployment.project_id, env.name);
      const previous = before && before.release_id !== release.id ? await store.releases.get(before.release_id) : undefined;
      await store.deploymentHosts.create(deployment.id, env.hosts);
      const local = env.hosts.includes('local') ? await this.#proxy(project, env) : undefined;
      const { registry } = this.#o;
      const results = await rollout({
        environment: env,
        release,
        previous,
        shared: {
          project,
          environment: env,
          config,
          registryAuth: { username: registry.username, password: registry.password },
          insecureRegistry: registry.insecure,
          secretEnv,
          signal: lock.signal,
          instance: this.#o.instance,
        },
        open: (host, hostLog) => (host === 'local'
          ? Promise.resolve(localSession(this.#o.engine, builtInProxy(local!.proxy), registry.host))
          : this.#sshSession(host, project, env, hostLog)),
        report: async (host, status, fields) => {
          await store.deploymentHosts.update(deployment.id, host, { status, ...fields });
          events.emit('deployment-updated', deployment.id);
        },
        log,
      });
      const onLocal = results.find((r) => r.host === 'local')?.candidate;
      const port = local?.port ?? env.publish ?? defaultPublish;
      await store.deployments.setState({ project_id: deployment.project_id, environment: env.name, release_id: release.id, container: onLocal?.container ?? '', host_port: onLocal?.hostPort ?? 0, publish: port });
      const urls = env.hosts.map((h) => `http://${h === 'local' ? this.#o.proxyHost : parseSshUrl(h).host}:${port}`).join(', ');
      log(`Serving at ${urls} (took ${((Date.now() - start) / 1000).toFixed(1)} s)`);
      await store.deployments.update(deployment.id, { status: 'success', finished_at: new Date().toISOString() });
      this.#o.log(`deployment #${deployment.number} ${project}/${env.name}: serving ${release.sha.slice(0, 7)} at ${urls}`);
    } catch (err) {
      const message = mask((err as Error).message);
      log(`Deployment failed: ${message}`);
      await store.deployments.update(deployment.id, { status: 'failure', error: message, finished_at: new Date().toISOString() });
      this.#o.log(`deployment #${deployment.number} ${project}/${deployment.environment} failed: ${message.split('\n')[0]}`);
    } finally {
      await lock?.release().catch((err: unknown) => this.#o.log(`releasing the lock on ${project}/${deployment.environment}: ${(err as Error).message}`));
    }
    events.emit('deployment-updated', deployment.id);
    events.emit('stream-end', stream);
  }

  async #sshSession(url: string, project: string, env: EnvironmentConfig, log: (line: string) => void): Promise<HostSession> {
    this.#platformKey ??= ensurePlatformKey(this.#o.dataDir);
    const { privateKey } = await this.#platformKey;
    // Not the environment's labels: the proxy must never count among its app containers.
    const labels = { [engineLabels.instance]: this.#o.instance, 'slipway.proxy': `${project}/${env.name}` };
    return sshSession({ url, store: this.#o.store, privateKey, registryHost: this.#o.registry.host, project, environment: env, instance: this.#o.instance, labels, log, timeoutMs: this.#o.sshTimeoutMs });
  }

  async #proxy(project: string, env: EnvironmentConfig): Promise<{ proxy: ProxyServer; port: number }> {
    const key = `${project}/${env.name}`;
    let entry = this.#proxies.get(key);
    if (entry && env.publish !== undefined && entry.port !== env.publish) {
      await entry.proxy.close();
      entry = undefined;
    }
    if (!entry) {
      const proxy = new ProxyServer();
      entry = { proxy, port: await proxy.listen(env.publish ?? 0, this.#o.proxyHost) };
      this.#proxies.set(key, entry);
    }
    return entry;
  }

  /** After a restart: deployments cut off mid-way failed; environments get their proxy back. */
  async restore(): Promise<void> {
    const { store, engine } = this.#o;
    for (const lock of await releaseDeadLocks(store)) this.#o.log(`released the lock on ${lock.environment} left by ${lock.holder} (no longer running)`);
    const live = new Set((await store.environmentLocks.all()).filter((l) => l.lease_expires_at > new Date().toISOString()).map((l) => l.deployment_id));
    for (const d of await store.deployments.unfinished()) {
      // Another live process is deploying it (it holds that environment's lock).
      if (live.has(d.id)) continue;
      await store.deployments.update(d.id, { status: 'failure', error: 'interrupted: the server stopped during the deployment', finished_at: new Date().toISOString() });
    }
    for (const d of await store.approvals.waiting()) await this.#resumeAtGate(d);
    for (const state of await store.deployments.allStates()) {
      const project = await store.projects.byId(state.project_id);
      // No container: the environment runs on SSH hosts only, whose proxies run there.
      if (!project || !state.container) continue;
      const info = await engine.inspect(state.container).catch(() => undefined);
      if (!info || info.state !== 'running') {
        this.#o.log(`${project.name}/${state.environment}: container ${state.container} is not running; redeploy to bring it back`);
        continue;
      }
      const { proxy, port } = await this.#proxy(project.name, { name: state.environment, hosts: ['local'], strategy: 'blue-green', publish: state.publish ?? undefined });
      proxy.switchTo({ host: '127.0.0.1', port: state.host_port });
      this.#o.log(`${project.name}/${state.environment}: serving at http://${this.#o.proxyHost}:${port}`);
    }
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#locks.values()]);
    await Promise.all([...this.#proxies.values()].map((p) => p.proxy.close()));
    this.#proxies.clear();
  }
}
