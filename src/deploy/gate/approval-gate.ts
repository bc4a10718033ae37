// deploy.yml `approval:` as a gate in front of an environment's queue. A gated deployment
// waits in `waiting_for_approval`, outside the per-environment lock chain (so it holds
// nobody up), until `required` different users with deploy permission approved and the
// `wait` timer (counted from the deployment's creation) ran out; then it becomes `queued`
// and its `open` callback hands it to the lock chain. One rejection ends it (`rejected`).
// Decisions are rows (store.approvals), the timers are re-armed from `created_at`, so a
// restart resumes every waiting deployment where it was.
import type { Store } from '../../store/store.ts';
import type { Deployment } from '../../store/repos/deployments.ts';
import type { Release } from '../../store/repos/releases.ts';
import type { User } from '../../store/repos/users.ts';
import type { Approval } from '../../store/repos/approvals.ts';
import type { EventBus } from '../../core/events.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { EnvironmentConfig } from '../config/deploy-config.ts';
import { SlipwayError } from '../../core/errors.ts';
import { authorize } from '../../auth/permissions.ts';
import type { Run } from '../../store/repos/runs.ts';
import { checkApproverRole, checkNotInvolved, checkPerson, type ApproverChecks, type Decision } from './approver-rules.ts';

/** A deployment as the approver rules see it (approver-rules.ts Subject). */
function deploymentDecision(user: User, project: string, deployment: Deployment, release: Release, run: Run | undefined, approvers: readonly string[] | undefined): Decision {
  const subject = { kind: 'deployment' as const, label: `${project}#${deployment.number} to ${deployment.environment}`, environment: deployment.environment, requester: deployment.triggered_by, sha: release.sha, run };
  return { user, project, subject, approvers };
}

/** What an environment's gate asks for; `waitMs` 0 = no timer, `required` 0 = a timer alone. */
export interface GateRule {
  required: number;
  notAuthor: boolean;
  waitMs: number;
  /** The only users who may approve (approval.approvers); else the project's maintainers. */
  approvers?: readonly string[];
}

/** The environment's gate, or undefined when deployments to it start at once. */
export function gateRule(env: EnvironmentConfig): GateRule | undefined {
  const a = env.approval;
  if (!a || (a.required === 0 && !a.waitMs)) return undefined;
  return { required: a.required, notAuthor: a.notAuthor, waitMs: a.waitMs ?? 0, ...(a.approvers && { approvers: a.approvers }) };
}

/** setTimeout's limit; longer waits re-arm. */
const maxTimerMs = 2 ** 31 - 1;

export interface ApprovalGateOptions {
  store: Store;
  events: EventBus;
  /** The wait timer's clock (tests inject one). */
  clock?: Clock;
  /** The gate of a deployment's environment now, to show deployments that are no longer waiting here. */
  ruleOf?: (deployment: Deployment) => Promise<GateRule | undefined>;
  /**
   * Holds here a deployment that waits at the gate of another server of the installation
   * (several servers on one database): decisions reach whichever server the load balancer
   * picked, and only one server opens the gate (`approvals.open` is a compare-and-set).
   */
  adopt?: (deployment: Deployment) => Promise<void>;
  /** Who may decide (approver-rules.ts); defaults: everyone is a person and an approver, commit authors unknown. */
  approvers?: Partial<ApproverChecks>;
  log: (message: string) => void;
}

interface ApprovalSummary {
  required: number;
  approved: number;
  /** When the wait timer runs out (ISO), or null without a timer. */
  waitUntil: string | null;
}

export interface ApprovalsView {
  approvals: { user: string; decision: Approval['decision']; reason: string | null; at: string }[];
  /** null when the environment has no gate. */
  approval: ApprovalSummary | null;
}

/** Decision rows as the API shows them. */
export function decisionsView(rows: Approval[]): ApprovalsView['approvals'] {
  return rows.map((a) => ({ user: a.user_name, decision: a.decision, reason: a.reason, at: a.created_at }));
}

interface Waiting {
  deployment: Deployment;
  project: string;
  release: Release;
  rule: GateRule;
  open: () => void;
  timer?: unknown;
}

export class ApprovalGate {
  readonly #o: ApprovalGateOptions;
  readonly #clock: Clock;
  readonly #waiting = new Map<string, Waiting>();
  /** The rule each deployment was held with, by deployment id (bounded), for its view later. */
  readonly #rules = new Map<string, Promise<GateRule | undefined>>();
  readonly #checks: ApproverChecks;

  constructor(options: ApprovalGateOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#checks = { isPerson: () => true, isApprover: async () => true, ...options.approvers };
  }

  /**
   * Holds a recorded deployment (status queued, or already waiting when resumed after a
   * restart) at its gate; `open` is called once, after the deployment moved to `queued`.
   */
  async hold(deployment: Deployment, project: string, release: Release, rule: GateRule, open: () => void): Promise<void> {
    await this.#o.store.approvals.hold(deployment.id);
    this.#forget(deployment.id);
    const entry: Waiting = { deployment, project, release, rule, open };
    this.#waiting.set(deployment.id, entry);
    this.#remember(deployment.id, Promise.resolve(rule));
    this.#o.events.emit('deployment-updated', deployment.id);
    await this.#tryOpen(deployment.id);
  }

  /** Records that an admin forced a deployment past the gate (rollback --force): the audit trail shows who. */
  async recordBypass(deployment: Deployment, by: User): Promise<void> {
    await this.#o.store.approvals.note({ deployment_id: deployment.id, user_id: by.id, user_name: by.name, decision: 'approve', reason: 'rollback --force by an admin: approval gate skipped' });
  }

  /**
   * An approval or a rejection (with a reason) by `user`; see docs/deploy.md for who may
   * decide. Only people with the approver role decide; an approval also needs someone who
   * did not request the deployment or push, dispatch, write or commit what it deploys.
   */
  async decide(deploymentId: string, user: User, decision: Approval['decision'], reason?: string): Promise<void> {
    const why = reason?.trim() || null;
    if (decision === 'reject' && !why) throw new SlipwayError('BAD_REQUEST', 'a rejection needs a reason: {"decision": "reject", "reason": "<why>"}');
    const stored = await this.#o.store.deployments.require(deploymentId);
    const project = (await this.#o.store.projects.byId(stored.project_id))?.name ?? stored.project_id;
    const entry = await this.#held(stored);
    const release = entry?.release ?? (await this.#o.store.releases.get(stored.release_id));
    const decisionOf: Decision | undefined = release && deploymentDecision(user, project, stored, release, await this.#o.store.runs.get(release.run_id), entry?.rule.approvers);
    if (decisionOf) checkPerson(this.#checks, decisionOf);
    authorize(user, 'deploy.approve', { project, environment: stored.environment });
    if (!entry) {
      if (stored.status === 'waiting_for_approval') throw new SlipwayError('CONFLICT', `deployment #${stored.number} waits at the gate of another Slipway process, which this one could not take over; decide there`);
      throw new SlipwayError('CONFLICT', `deployment #${stored.number} is ${stored.status.replaceAll('_', ' ')}, not waiting for approval: nothing to decide`);
    }
    // The two-person rules first: "you pushed this" says more than "you are not an approver".
    if (decision === 'approve') await checkNotInvolved(this.#checks, decisionOf!);
    await checkApproverRole(this.#checks, decisionOf!);
    const { deployment } = entry;
    await this.#o.store.approvals.record({ deploymentId, user, decision, reason: why, rejectionError: `rejected by ${user.name}: ${why}` });
    if (decision === 'reject') {
      this.#forget(deploymentId);
      this.#o.log(`deployment #${deployment.number} ${entry.project}/${deployment.environment} rejected by ${user.name}: ${why}`);
      this.#o.events.emit('deployment-updated', deploymentId);
      this.#o.events.emit('stream-end', `deployment:${deploymentId}`);
      return;
    }
    this.#o.events.emit('deployment-updated', deploymentId);
    await this.#tryOpen(deploymentId);
  }

  /**
   * Whether `user` may approve and may reject the deployment now, by the same checks as
   * `decide` without recording anything: the refusal's message when not (for the UI's
   * buttons; `decide` still checks again).
   */
  async rightsOf(deploymentId: string, user: User): Promise<{ approve: string | null; reject: string | null }> {
    const stored = await this.#o.store.deployments.require(deploymentId);
    const project = (await this.#o.store.projects.byId(stored.project_id))?.name ?? stored.project_id;
    const entry = await this.#held(stored);
    const release = entry?.release ?? (await this.#o.store.releases.get(stored.release_id));
    const refusal = async (decision: Approval['decision']): Promise<string | null> => {
      try {
        if (!entry || !release) throw new SlipwayError('CONFLICT', `deployment #${stored.number} is ${stored.status.replaceAll('_', ' ')}, not waiting for approval here`);
        const d = deploymentDecision(user, project, stored, release, await this.#o.store.runs.get(release.run_id), entry.rule.approvers);
        checkPerson(this.#checks, d);
        authorize(user, 'deploy.approve', { project, environment: stored.environment });
        if (decision === 'approve') await checkNotInvolved(this.#checks, d);
        await checkApproverRole(this.#checks, d);
        if ((await this.#o.store.approvals.list(deploymentId)).some((a) => a.user_name === user.name)) throw new SlipwayError('CONFLICT', `${user.name} has decided on deployment #${stored.number} already`);
        return null;
      } catch (err) {
        if (err instanceof SlipwayError) return err.message;
        throw err;
      }
    };
    return { approve: await refusal('approve'), reject: await refusal('reject') };
  }

  /** The decisions on a deployment and, when its environment is gated, how far it got. */
  async view(deployment: Deployment): Promise<ApprovalsView> {
    const rows = await this.#o.store.approvals.list(deployment.id);
    const approvals = decisionsView(rows);
    const rule = await this.#ruleOf(deployment);
    if (!rule) return { approvals, approval: null };
    return { approvals, approval: { required: rule.required, approved: rows.filter((a) => a.decision === 'approve').length, waitUntil: rule.waitMs > 0 ? new Date(this.#waitUntil(deployment, rule)).toISOString() : null } };
  }

  /** Whether this process holds the deployment at its gate now. */
  holds(deploymentId: string): boolean {
    return this.#waiting.has(deploymentId);
  }

  /** The entry of a deployment held here; one waiting at another server's gate is adopted first. */
  async #held(stored: Deployment): Promise<Waiting | undefined> {
    const here = this.#waiting.get(stored.id);
    if (here && stored.status !== 'waiting_for_approval') {
      // Opened, rejected or cancelled through another server.
      this.#forget(stored.id);
      return undefined;
    }
    if (here || stored.status !== 'waiting_for_approval' || !this.#o.adopt) return here;
    await this.#o.adopt(stored);
    return this.#waiting.get(stored.id);
  }

  /** Stops the timers (the deployments stay waiting in the store; the next start resumes them). */
  close(): void {
    for (const id of [...this.#waiting.keys()]) this.#forget(id);
  }

  #waitUntil(deployment: Deployment, rule: GateRule): number {
    return Date.parse(deployment.created_at) + rule.waitMs;
  }

  /** Opens the gate when the timer ran out and enough approvals are in; else (re-)arms the timer. */
  async #tryOpen(id: string): Promise<void> {
    const entry = this.#waiting.get(id);
    if (!entry) return;
    const remaining = entry.rule.waitMs > 0 ? this.#waitUntil(entry.deployment, entry.rule) - this.#clock.now() : 0;
    if (remaining > 0) {
      if (entry.timer === undefined) {
        const timer = this.#clock.setTimeout(() => {
          entry.timer = undefined;
          this.#tryOpen(id).catch((err: unknown) => this.#o.log(`approval gate of deployment ${id}: ${(err as Error).message}`));
        }, Math.min(remaining, maxTimerMs));
        timer.unref?.();
        entry.timer = timer;
      }
      return;
    }
    const approved = (await this.#o.store.approvals.list(id)).filter((a) => a.decision === 'approve').length;
    // Opened, rejected or cancelled through another server: nothing left to hold here.
    if ((await this.#o.store.deployments.get(id))?.status !== 'waiting_for_approval') {
      if (this.#waiting.get(id) === entry) this.#forget(id);
      return;
    }
    // Another call got here first (or a rejection): only one caller opens.
    if (approved < entry.rule.required || this.#waiting.get(id) !== entry) return;
    this.#forget(id);
    if (!(await this.#o.store.approvals.open(id))) return;
    const { deployment } = entry;
    this.#o.log(`deployment #${deployment.number} ${entry.project}/${deployment.environment}: gate open (${approved}/${entry.rule.required} approvals${entry.rule.waitMs > 0 ? ', wait over' : ''}), queued`);
    entry.open();
  }

  #forget(id: string): void {
    const entry = this.#waiting.get(id);
    if (entry?.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    this.#waiting.delete(id);
  }

  async #ruleOf(deployment: Deployment): Promise<GateRule | undefined> {
    const waiting = this.#waiting.get(deployment.id);
    if (waiting) return waiting.rule;
    const known = this.#rules.get(deployment.id);
    if (known) return known;
    const { ruleOf } = this.#o;
    if (!ruleOf) return undefined;
    const rule = ruleOf(deployment).catch((err: unknown) => {
      // The view still shows the decisions; the log says why the rule is missing.
      this.#o.log(`approval rule of deployment #${deployment.number}: ${(err as Error).message}`);
      return undefined;
    });
    this.#remember(deployment.id, rule);
    return rule;
  }

  #remember(deploymentId: string, rule: Promise<GateRule | undefined>): void {
    if (this.#rules.size >= 1000) this.#rules.delete(this.#rules.keys().next().value!);
    this.#rules.set(deploymentId, rule);
  }
}
