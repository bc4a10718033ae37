// One queued deployment, from taking its environment's lock to its outcome: the lock, the
// secrets, the rollout over the environment's hosts (targets and strategy as the
// composition root registered them), the environment's new state, and a log of it all.
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Secrets } from '../auth/secrets.ts';
import { SlipwayError } from '../core/errors.ts';
import { acquireEnvironmentLock, type LockTiming } from './gate/environment-lock.ts';
import { deploymentLog } from './deployment-log.ts';
import { secretEnvFor } from './deployment-secrets.ts';
import type { EnvironmentPlan } from './environment-plan.ts';
import { rollout } from './strategies/rollout.ts';
import type { Strategies } from './strategies/strategy.ts';
import { targetFor, type DeployTargets } from './targets/deploy-target.ts';
import type { DeployRegistry, PullCredential } from './registry-credential.ts';
import { supersedeIfCovered, type IsAncestor } from './commit-order.ts';

export interface ExecuteDeps {
  store: Store;
  events: EventBus;
  /** How hosts sign in to pull a release; `insecure` for a plain-HTTP registry. */
  registry: DeployRegistry;
  instance: string;
  secrets?: Secrets;
  targets: DeployTargets;
  strategies: Strategies;
  /** This process's name in lock rows. */
  holder: string;
  lockTiming: LockTiming;
  /** Commit ancestry in a project's repository: an automatic deployment of an older commit is superseded (commit-order.ts). */
  isAncestor: IsAncestor;
  /** Aborted when the server stops: a deployment waiting for the lock gives up. */
  closing: AbortSignal;
  log: (message: string) => void;
}

/** RELEASE_GONE, saying why, instead of the pull failing on every host with the engine's own words. */
export async function assertImageHeld(registry: DeployRegistry, release: Release): Promise<void> {
  if (await registry.holds(release.image, release.digest)) return;
  throw new SlipwayError(
    'RELEASE_GONE',
    `release ${release.sha.slice(0, 7)} (${release.image}@${release.digest}) is no longer in the registry: release retention untagged it and garbage collection freed it (slipway registry retention --dry-run shows what is kept and why); re-run the run that built it (slipway rerun) to build it again`,
  );
}

export async function executeDeployment(deps: ExecuteDeps, deployment: Deployment, project: string, release: Release, plan: EnvironmentPlan): Promise<void> {
  const { store, events } = deps;
  const { config, env } = plan;
  const log = deploymentLog(store, events, deployment.id, (err) => deps.log(`deployment #${deployment.number}: a log line was lost: ${err.message}`));
  let lock: Awaited<ReturnType<typeof acquireEnvironmentLock>> | undefined;
  let pull: PullCredential | undefined;
  try {
    lock = await acquireEnvironmentLock(store, {
      projectId: deployment.project_id,
      environment: deployment.environment,
      deploymentId: deployment.id,
      holder: deps.holder,
      timing: deps.lockTiming,
      signal: deps.closing,
      onWait: (current) => {
        log.line(`Queued: ${deployment.environment} is locked by deployment ${current.deployment_id} (${current.holder}, lease until ${current.lease_expires_at})`);
        events.emit('deployment-updated', deployment.id);
      },
    });
    log.restartClock();
    // Under the lock, so nothing starts between this look at the environment and the deploy.
    if (await supersedeIfCovered({ store, isAncestor: deps.isAncestor }, project, deployment, release, log.line)) {
      deps.log(`deployment #${deployment.number} ${project}/${deployment.environment}: superseded, not run`);
      return;
    }
    await store.deployments.update(deployment.id, { status: 'running', started_at: new Date().toISOString() });
    events.emit('deployment-updated', deployment.id);
    const secretEnv = await secretEnvFor(deps.secrets, deployment, project, plan);
    log.maskWith(Object.values(secretEnv));
    if (config.env.secret.length > 0) log.line(`Secrets: ${config.env.secret.join(', ')}`);
    log.line(`Deploying ${release.image}@${release.digest} (commit ${release.sha.slice(0, 7)}) to ${deployment.environment} on ${env.hosts.join(', ')}`);
    const strategy = deps.strategies.get(env.strategy);
    if (!strategy) throw new SlipwayError('BAD_REQUEST', `this server has no deploy strategy "${env.strategy}" (it has ${[...deps.strategies.keys()].join(', ')})`);
    const before = await store.deployments.state(deployment.project_id, env.name);
    const previous = before && before.release_id !== release.id ? await store.releases.get(before.release_id) : undefined;
    await store.deploymentHosts.create(deployment.id, env.hosts);
    const { registry } = deps;
    // Checked again here: retention and GC may have removed it while this deployment was queued or waiting for approval.
    await assertImageHeld(registry, release);
    // Pull-only, for this release's repository, and dead once this deployment ends (finally below).
    pull = await registry.pullCredential(deployment, release.image);
    log.maskWith([...Object.values(secretEnv), pull.password]);
    const shared = {
      project,
      environment: env,
      config,
      registryAuth: { username: pull.username, password: pull.password },
      insecureRegistry: registry.insecure,
      secretEnv,
      signal: lock.signal,
      instance: deps.instance,
    };
    const results = await rollout({
      environment: env,
      strategy,
      release,
      previous,
      open: (host, hostLog) => targetFor(deps.targets, host).open(host, { ...shared, log: hostLog }),
      report: async (host, status, fields) => {
        // A host's error can quote the app's own output (a failed health check's container
        // log): masked like the log before it is stored, as `hosts[].error` is shown as is.
        const error = fields?.error !== undefined ? { error: log.mask(fields.error) } : {};
        await store.deploymentHosts.update(deployment.id, host, { status, ...fields, ...error });
        events.emit('deployment-updated', deployment.id);
      },
      log: log.line,
    });
    // The local host's container and port: the built-in proxy is re-attached to them after a restart (recovery.ts).
    const onLocal = results.find((r) => r.host === 'local');
    const port = (onLocal ?? results[0]!).endpoint.port;
    await store.deployments.setState({ project_id: deployment.project_id, environment: env.name, release_id: release.id, container: onLocal?.candidate.container ?? '', host_port: onLocal?.candidate.hostPort ?? 0, publish: port });
    const urls = results.map((r) => `http://${r.endpoint.address}:${r.endpoint.port}`).join(', ');
    log.line(`Serving at ${urls} (took ${(log.elapsedMs() / 1000).toFixed(1)} s)`);
    await store.deployments.update(deployment.id, { status: 'success', finished_at: new Date().toISOString() });
    deps.log(`deployment #${deployment.number} ${project}/${env.name}: serving ${release.sha.slice(0, 7)} at ${urls}`);
  } catch (err) {
    const message = log.mask((err as Error).message);
    log.line(`Deployment failed: ${message}`);
    await store.deployments.update(deployment.id, { status: 'failure', error: message, finished_at: new Date().toISOString() });
    deps.log(`deployment #${deployment.number} ${project}/${deployment.environment} failed: ${message.split('\n')[0]}`);
  } finally {
    await pull?.revoke().catch((err: unknown) => deps.log(`revoking the pull token of deployment #${deployment.number}: ${(err as Error).message}`));
    await lock?.release().catch((err: unknown) => deps.log(`releasing the lock on ${project}/${deployment.environment}: ${(err as Error).message}`));
    // Here rather than after the try, so a superseded deployment (which returns early) is announced too.
    events.emit('deployment-updated', deployment.id);
    events.emit('stream-end', log.stream);
  }
}
