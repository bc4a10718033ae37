// Deployments as records: which release goes to which environment, triggered by what, with
// its log and outcome. The facade the server uses: it follows finished runs
// (continuous.ts), holds a deployment at its environment's approval gate, queues it behind
// the environment's other deployments (environment-queue.ts) and runs it
// (execute-deployment.ts), never putting an automatic deployment's older commit over a newer
// one (commit-order.ts); after a restart it picks up where the last process stopped
// (recovery.ts). Targets, strategies and the local proxies come from the composition root.
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Project } from '../store/repos/projects.ts';
import type { User } from '../store/repos/users.ts';
import type { EventBus } from '../core/events.ts';
import type { Secrets } from '../auth/secrets.ts';
import type { DeployConfig } from './config/deploy-config.ts';
import { checkBranchAllowed } from './config/branch-policy.ts';
import { deployConfigAt, deployConfigErrors, type ReadFileAt } from './config-at.ts';
import type { DefaultBranchOf } from './config/protected-rules.ts';
import { EnvironmentProtection } from './config/environment-protection.ts';
import type { ApproverChecks } from './gate/approver-rules.ts';
import type { Audit } from './gate/audit-event.ts';
import { afterRun } from './continuous.ts';
import { supersedeIfCovered, type IsAncestor } from './commit-order.ts';
import type { ContainerEngine } from './engine/container-engine.ts';
import type { EnvironmentPlan } from './environment-plan.ts';
import { EnvironmentQueue } from './environment-queue.ts';
import { assertImageHeld, executeDeployment, type ExecuteDeps } from './execute-deployment.ts';
import { deploymentLog } from './deployment-log.ts';
import { ApprovalGate, gateRule, type ApprovalGateOptions } from './gate/approval-gate.ts';
import { defaultLockTiming, newHolderId, type LockTiming } from './gate/environment-lock.ts';
import type { LocalProxies } from './proxy/haproxy/local-proxies.ts';
import { recoverDeployments } from './recovery.ts';
import type { Strategies } from './strategies/strategy.ts';
import type { DeployTargets } from './targets/deploy-target.ts';
import type { DeployRegistry } from './registry-credential.ts';

export interface DeployServiceOptions {
  store: Store;
  events: EventBus;
  readFile: ReadFileAt;
  /** Commit ancestry in a project's repository, for deploys in commit order (commit-order.ts). */
  isAncestor: IsAncestor;
  /** How hosts sign in to pull a release (a token per deployment); `insecure` for a plain-HTTP registry. */
  registry: DeployRegistry;
  /** This installation's id, labelled on every container it deploys. */
  instance: string;
  log: (message: string) => void;
  /** Per-environment secrets (deploy.yml `env.secret`); without it, listing a secret fails the deploy. */
  secrets?: Secrets;
  lockTiming?: LockTiming;
  /** Host scheme → target (targets/local, targets/ssh). */
  targets: DeployTargets;
  /** deploy.yml strategy → implementation (strategies/). */
  strategies: Strategies;
  /** The local host's engine and proxies, reconciled with the store after a restart. */
  local: { engine: ContainerEngine; proxies: LocalProxies };
  /** The approval gate's wait-timer clock (tests inject one). */
  clock?: ApprovalGateOptions['clock'];
  /** Who may decide at a gate (gate/approver-rules.ts): people, approvers, a commit's author and committer. */
  approvers?: Partial<ApproverChecks>;
  /** The project's default branch, whose deploy.yml protects its environments (config/protected-rules.ts). */
  defaultBranch: DefaultBranchOf;
  /** Security-relevant actions (forced deployments, rule changes); a stand-in logs them until the audit log lands. */
  audit: Audit;
}

interface DeployOptions {
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

export class DeployService {
  readonly #o: DeployServiceOptions;
  readonly #queue: EnvironmentQueue;
  readonly #closing = new AbortController();
  readonly #execute: ExecuteDeps;
  /** deploy.yml `approval:` in front of each environment's queue. */
  readonly gate: ApprovalGate;
  /** Where environments may go and who may send them: never the release's deploy.yml (config/protected-rules.ts). */
  readonly protection: EnvironmentProtection;

  constructor(options: DeployServiceOptions) {
    this.#o = options;
    const { store, events, log, clock, approvers } = options;
    this.protection = new EnvironmentProtection({ store, readFile: options.readFile, defaultBranch: options.defaultBranch });
    this.gate = new ApprovalGate({ store, events, log, clock, approvers, ruleOf: (d) => this.#ruleNow(d) });
    this.#queue = new EnvironmentQueue((key, err) => log(`deployment queue of ${key}: ${(err as Error).stack ?? String(err)}`));
    this.#execute = {
      store,
      events,
      registry: options.registry,
      instance: options.instance,
      secrets: options.secrets,
      targets: options.targets,
      strategies: options.strategies,
      holder: newHolderId(),
      lockTiming: options.lockTiming ?? defaultLockTiming,
      isAncestor: options.isAncestor,
      closing: this.#closing.signal,
      log,
    };
  }

  /** After a successful run on a branch, deploy its release to the environments following that branch. */
  async onRunFinished(runId: string): Promise<Deployment[]> {
    const next = await afterRun(this.protection.deps, (project, sha) => this.configAt(project, sha), runId, this.#o.log);
    if (!next) return [];
    const out: Deployment[] = [];
    for (const plan of next.plans) out.push(await this.deploy(next.project, plan, next.release, 'push', 'slipway'));
    return out;
  }

  /**
   * Records a deployment and queues it behind any other deployment of the same environment;
   * in a gated environment it first waits for approval (outside the queue) unless an admin
   * forced it. `plan` comes from protection.plan (the environment's protection with the
   * release's app), read once by the caller. A release from a branch the environment does
   * not allow is refused (BRANCH_NOT_ALLOWED). An automatic one (trigger `push`) whose commit
   * is already served or queued there ends at once as `superseded` (commit-order.ts).
   */
  async deploy(project: Project, plan: EnvironmentPlan, release: Release, trigger: string, triggeredBy: string, options: DeployOptions = {}): Promise<Deployment> {
    checkBranchAllowed(plan.env, release);
    const { store } = this.#o;
    await assertImageHeld(this.#o.registry, release);
    const deployment = await store.deployments.create({ project_id: project.id, environment: plan.env.name, release_id: release.id, trigger, triggered_by: triggeredBy });
    if (await this.#supersededAtOnce(project, deployment, release)) return store.deployments.require(deployment.id);
    const rule = gateRule(plan.env);
    if (rule && !options.forcedBy) {
      await this.gate.hold(deployment, project.name, release, rule, () => this.#enqueue(deployment, project.name, release, plan));
      return (await store.deployments.get(deployment.id)) ?? deployment;
    }
    if (rule && options.forcedBy) await this.gate.recordBypass(deployment, options.forcedBy);
    this.#enqueue(deployment, project.name, release, plan);
    return deployment;
  }

  /** An automatic deployment already covered by what its environment serves or queues: superseded before it waits anywhere. */
  async #supersededAtOnce(project: Project, deployment: Deployment, release: Release): Promise<boolean> {
    const { store, events, log } = this.#o;
    const record = deploymentLog(store, events, deployment.id, (err) => log(`deployment #${deployment.number}: a log line was lost: ${err.message}`));
    if (!(await supersedeIfCovered({ store, isAncestor: this.#o.isAncestor }, project.name, deployment, release, record.line))) return false;
    log(`deployment #${deployment.number} ${project.name}/${deployment.environment}: superseded, not queued`);
    events.emit('deployment-updated', deployment.id);
    events.emit('stream-end', record.stream);
    return true;
  }

  /** Onto the environment's queue: runs after the deployments queued before it. */
  #enqueue(deployment: Deployment, project: string, release: Release, plan: EnvironmentPlan): void {
    this.#o.events.emit('deployment-updated', deployment.id);
    this.#queue.add(`${project}/${plan.env.name}`, () => executeDeployment(this.#execute, deployment, project, release, plan));
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
  configErrors(project: string, sha: string): Promise<string | undefined> {
    return deployConfigErrors(this.#o.readFile, project, sha);
  }

  /** deploy.yml at a commit (undefined when the commit has none); invalid files throw DEPLOY_CONFIG_INVALID. */
  configAt(project: string, sha: string): Promise<DeployConfig | undefined> {
    return deployConfigAt(this.#o.readFile, project, sha);
  }

  /** Records a security-relevant action through the injected audit log. */
  audit(event: Parameters<Audit>[0]): Promise<void> {
    return Promise.resolve(this.#o.audit(event));
  }

  /** The gate a deployment's environment has now (for deployments no longer waiting here). */
  async #ruleNow(d: Deployment) {
    const project = await this.#o.store.projects.byId(d.project_id);
    if (!project) return undefined;
    const rules = (await this.protection.rules(project)).environments.find((e) => e.env.name === d.environment);
    return rules && gateRule(rules.env);
  }

  /** After a restart (recovery.ts). */
  restore(): Promise<void> {
    const { store, events, local, log } = this.#o;
    return recoverDeployments({
      store,
      events,
      gate: this.gate,
      planOf: (project, environment, release) => this.protection.plan(project, environment, release),
      enqueue: (d, project, release, plan) => this.#enqueue(d, project, release, plan),
      local,
      instance: this.#o.instance,
      log,
    });
  }

  /** Stops waiting for locks and waits for the deployments under way. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#queue.drain();
  }
}
