// After a restart, every environment on the `local` host is made to agree with what actually
// runs there, whatever phase a deployment was cut off in (core/crash-point.ts names them):
// - the container the proxy routes to keeps serving: it passed its health check before the
//   switch, so once the switch has happened the new release serves (undoing it would be one
//   more traffic move, to a release that was already replaced); before the switch that is
//   the last known-good release, and the candidate goes;
// - the proxy routes to nothing that runs (or no proxy runs): the container the store
//   recorded as serving is routed again, the proxy restarted if need be;
// - every other container of the environment (a candidate, an old one mid-removal) is
//   removed, after what the proxy still had in flight to it drained;
// - the store's environment state names what serves, and the interrupted deployment's record
//   says what happened: `success` if its release serves (and it had no other host),
//   `failure` otherwise, with the reconciliation in its error and its log.
// Nothing here waits for a health check: only containers that were routed, or recorded as
// serving, are routed.
import type { EventBus } from '../core/events.ts';
import type { Store } from '../store/store.ts';
import type { Deployment } from '../store/repos/deployments.ts';
import type { ContainerEngine, ContainerInfo } from './engine/container-engine.ts';
import { labels } from './engine/engine.ts';
import type { LocalProxies } from './proxy/haproxy/local-proxies.ts';

interface ReconcileDeps {
  store: Store;
  events: EventBus;
  local: { engine: ContainerEngine; proxies: LocalProxies };
  instance: string;
  log: (message: string) => void;
}

/** An environment as found on this machine. */
interface LocalEnvironment {
  project: { id: string; name: string };
  environment: string;
  containers: ContainerInfo[];
  /** The deployment the stop cut off, if any (status still `running`). */
  interrupted?: Deployment;
  /** Its hosts other than local (not reconnected at start). */
  otherHosts: string[];
}

/** Old requests get this long to finish on a container that is about to go. */
const drainTimeoutMs = 5000;
const stopTimeoutSec = 1;

/**
 * Reconciles every local environment but those in `busy` (`project_id/environment`: a live
 * process deploys there). `interrupted`: deployments cut off mid-way, on local among others.
 */
export async function reconcileLocal(deps: ReconcileDeps, interrupted: Deployment[], busy: Set<string>): Promise<void> {
  for (const env of await localEnvironments(deps, interrupted)) {
    if (busy.has(`${env.project.id}/${env.environment}`)) continue;
    try {
      await reconcile(deps, env);
    } catch (err) {
      const message = `${env.project.name}/${env.environment}: reconciling after the restart failed: ${(err as Error).message}`;
      deps.log(message);
      if (env.interrupted) await finish(deps, env.interrupted, 'failure', `interrupted: the server stopped during the deployment; ${message}`);
    }
  }
}

async function localEnvironments(deps: ReconcileDeps, interrupted: Deployment[]): Promise<LocalEnvironment[]> {
  const { store, local, instance } = deps;
  const found = new Map<string, LocalEnvironment>();
  const entry = async (projectId: string, environment: string): Promise<LocalEnvironment | undefined> => {
    const key = `${projectId}/${environment}`;
    let e = found.get(key);
    if (!e) {
      const project = await store.projects.byId(projectId);
      if (!project) return undefined;
      e = { project: { id: project.id, name: project.name }, environment, containers: [], otherHosts: [] };
      found.set(key, e);
    }
    return e;
  };
  // What runs: this installation's app containers (the proxies carry no project label).
  for (const c of await local.engine.list({ [labels.instance]: instance })) {
    const projectName = c.labels[labels.project];
    const environment = c.labels[labels.environment];
    if (!projectName || !environment) continue;
    const project = await store.projects.get(projectName);
    if (!project) continue;
    (await entry(project.id, environment))?.containers.push(c);
  }
  // What the store says serves on local (no container: the environment is on SSH hosts only).
  for (const s of await store.deployments.allStates()) if (s.container) await entry(s.project_id, s.environment);
  for (const d of interrupted) {
    const hosts = await store.deploymentHosts.list(d.id);
    if (!hosts.some((h) => h.host === 'local')) continue;
    const e = await entry(d.project_id, d.environment);
    if (e && (!e.interrupted || e.interrupted.number < d.number)) {
      e.interrupted = d;
      e.otherHosts = hosts.map((h) => h.host).filter((h) => h !== 'local');
    }
  }
  return [...found.values()];
}

async function reconcile(deps: ReconcileDeps, env: LocalEnvironment): Promise<void> {
  const { store, local, log } = deps;
  const name = `${env.project.name}/${env.environment}`;
  const engine = local.engine.withLog((line) => log(`${name}: ${line}`));
  const state = await store.deployments.state(env.project.id, env.environment);
  let proxy = await local.proxies.running(env.project.name, env.environment, () => {});
  const routed = await proxy?.serving();
  const running = env.containers.filter((c) => c.state === 'running');
  const byRoute = routed === undefined ? undefined : running.find((c) => hostPorts(c).includes(routed));
  const recorded = running.find((c) => c.name === state?.container);
  const keep = byRoute ?? recorded;
  if (keep) {
    const port = byRoute ? routed! : state!.host_port;
    proxy ??= await local.proxies.forEnvironment(env.project.name, { name: env.environment, publish: state?.publish ?? undefined }, (line) => log(`${name}: ${line}`));
    await proxy.serveOnly(port, drainTimeoutMs);
    await store.deployments.setState({ project_id: env.project.id, environment: env.environment, release_id: keep.labels[labels.release] ?? state?.release_id ?? '', container: keep.name, host_port: port, publish: proxy.publish });
  }
  const removed: string[] = [];
  for (const c of env.containers) {
    if (c === keep) continue;
    await engine.remove(c.name, stopTimeoutSec).then(() => removed.push(c.name), (err: unknown) => log(`${name}: removing ${c.name}: ${(err as Error).message}`));
  }
  const serving = keep ? await servingText(deps, keep) : undefined;
  const what = [serving ? `serving ${serving}` : 'nothing serves (no container of it runs): deploy again', ...(removed.length > 0 ? [`removed ${removed.join(', ')}`] : [])].join('; ');
  if (env.interrupted || removed.length > 0 || !routed) log(`${name}: reconciled after the restart: ${what}`);
  const d = env.interrupted;
  if (!d) return;
  const switched = keep !== undefined && keep.labels[labels.release] === d.release_id;
  const phase = switched ? 'after the switch' : 'before the switch';
  // Other hosts may be anywhere between the phases: the deployment is not known to have succeeded.
  const others = env.otherHosts.length > 0 ? `; on local only: ${env.otherHosts.join(', ')} not checked, deploy again` : '';
  await finish(deps, d, switched && !others ? 'success' : 'failure', `interrupted ${phase} (the server stopped); reconciled on restart: ${what}${others}`);
}

/** `release rel_… (abc1234) as <container>`. */
async function servingText(deps: ReconcileDeps, c: ContainerInfo): Promise<string> {
  const id = c.labels[labels.release] ?? '?';
  const release = await deps.store.releases.get(id);
  return `release ${id}${release ? ` (${release.sha.slice(0, 7)})` : ''} as ${c.name}`;
}

function hostPorts(c: ContainerInfo): number[] {
  return Object.values(c.ports).flatMap((bindings) => bindings.map((b) => b.hostPort));
}

/** Ends an interrupted deployment: its record, its local host's row and a last log line. */
async function finish(deps: ReconcileDeps, d: Deployment, status: 'success' | 'failure', error: string): Promise<void> {
  const { store, events } = deps;
  await store.deployments.update(d.id, { status, error, finished_at: new Date().toISOString() });
  // The deployment's own record above is what matters; a host row that can't be written is told, not fatal.
  await store.deploymentHosts.update(d.id, 'local', { status, error }).catch((err: unknown) => deps.log(`reconcile: deployment ${d.id}: could not update its local host row: ${(err as Error).message}`));
  const stream = `deployment:${d.id}`;
  const seq = (await store.logs.lastSeq(stream)) + 1;
  const text = `[restart] ${error}\n`;
  if (await store.logs.append(stream, seq, text)) events.emit('log', stream, seq, text);
  events.emit('deployment-updated', d.id);
  events.emit('stream-end', stream);
}
