// Deploys one release to one environment on this host: pull by digest, start the new
// container beside the old one, wait for its health check, switch the proxy, drain and
// remove the old. The old container keeps serving until the new one is proven healthy.
import { randomBytes } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';
import type { ContainerEngine, ContainerInfo } from './container-engine.ts';
import type { DeployConfig, EnvironmentConfig } from './deploy-config.ts';
import { waitHealthy } from './healthcheck.ts';
import type { ProxyServer } from './proxy.ts';

export interface LocalDeployRequest {
  project: string;
  environment: EnvironmentConfig;
  config: DeployConfig;
  releaseId: string;
  sha: string;
  /** Full pull reference, by digest: `127.0.0.1:8080/proj/hello@sha256:…`. */
  image: string;
  registryAuth?: { username: string; password: string };
  insecureRegistry: boolean;
  /** Resolved secret values (env.secret), merged over env.clear. */
  secretEnv?: Record<string, string>;
  engine: ContainerEngine;
  proxy: ProxyServer;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Id of the Slipway installation; scopes which containers count as this environment's. */
  instance?: string;
}

export interface ActiveContainer {
  container: string;
  hostPort: number;
}

export const labels = { instance: 'slipway.instance', project: 'slipway.project', environment: 'slipway.environment', release: 'slipway.release' } as const;

export async function deployLocal(request: LocalDeployRequest): Promise<ActiveContainer> {
  const { project, environment, config, log, signal } = request;
  const engine = request.engine.withLog(log);
  const strategy = environment.strategy;
  log(`==> deploying ${request.sha.slice(0, 12)} (release ${request.releaseId}) to ${environment.name}, strategy ${strategy}`);

  if (await engine.imageExists(request.image)) log(`image ${request.image} is already present`);
  else await engine.pull(request.image, { insecure: request.insecureRegistry, auth: request.registryAuth, signal });
  signal?.throwIfAborted();

  // Several Slipway installations may share one container engine (a laptop's, a test
  // machine's): the instance label keeps each to its own containers.
  const scope = { ...(request.instance ? { [labels.instance]: request.instance } : {}), [labels.project]: project, [labels.environment]: environment.name };
  const old = await engine.list(scope);
  // Rolling across hosts degenerates to blue-green on one host; recreate frees the old
  // container first (for apps that cannot run twice, e.g. holding a lock or a volume).
  if (strategy === 'recreate') await removeAll(engine, old, config.stopTimeoutMs, log);

  const name = containerName(project, environment.name, request.sha || request.releaseId);
  const started = await engine.run({
    name,
    image: request.image,
    labels: { ...scope, [labels.release]: request.releaseId },
    env: { ...config.env.clear, ...request.secretEnv },
    containerPort: config.port,
    hostIp: '127.0.0.1',
  });
  log(`started ${name} on 127.0.0.1:${started.hostPort}`);

  try {
    const url = `http://127.0.0.1:${started.hostPort}${config.healthcheck.path}`;
    log(`waiting for ${url} (every ${config.healthcheck.intervalMs}ms, up to ${config.healthcheck.deadlineMs}ms)`);
    const health = await waitHealthy(url, config.healthcheck, signal);
    if (!health.ok) {
      const output = health.lastOutput.trim() || (await engine.logs(name, 20)) || '(no output)';
      throw new SlipwayError('HEALTHCHECK_FAILED', `${name}: ${health.reason}\nlast output:\n${output}`);
    }
    log(`healthy after ${health.attempts} attempt${health.attempts === 1 ? '' : 's'}`);
  } catch (err) {
    // The new container never took traffic: remove it and leave the old one serving.
    log(`removing ${name}; ${old.length > 0 && strategy !== 'recreate' ? 'the previous release keeps serving' : 'nothing is serving'}`);
    await engine.remove(name);
    throw err;
  }

  const previous = request.proxy.upstream;
  request.proxy.switchTo({ host: '127.0.0.1', port: started.hostPort });
  log(`switched traffic to ${name}`);
  if (previous && previous.port !== started.hostPort) {
    log(`draining 127.0.0.1:${previous.port} (up to ${config.drainTimeoutMs}ms)`);
    const { drained } = await request.proxy.drain(previous, config.drainTimeoutMs);
    if (!drained) log('drain timed out; closing the remaining connections');
  }
  if (strategy !== 'recreate') await removeAll(engine, old.filter((c) => c.name !== name), config.stopTimeoutMs, log);
  log(`==> ${environment.name} now runs ${request.sha.slice(0, 12)} as ${name}`);
  return { container: name, hostPort: started.hostPort };
}

/** `slipway-<project>-<env>-<short sha or release>-<random>`; valid as a container name. */
function containerName(project: string, environment: string, version: string): string {
  const short = version.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, 12);
  return `slipway-${project}-${environment}-${short}-${randomBytes(3).toString('hex')}`;
}

async function removeAll(engine: ContainerEngine, containers: ContainerInfo[], stopTimeoutMs: number, log: (line: string) => void): Promise<void> {
  for (const c of containers) {
    log(`stopping ${c.name}`);
    await engine.stop(c.name, Math.ceil(stopTimeoutMs / 1000));
    await engine.remove(c.name);
  }
}
