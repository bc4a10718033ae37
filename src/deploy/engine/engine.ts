// Deploys one release to one environment on one host, in two phases so a rollout across
// hosts can hold every host between them:
// 1. start: pull by digest, start the new container beside the old one, wait for its health
//    check. Nothing serves the new version yet; on failure the new container is removed and
//    the old one never stopped serving (except with `stopOldFirst`, the recreate strategy's
//    choice, which frees the old first).
// 2. switch: point the host's proxy at the new container, drain the old one, remove it.
// `discard` undoes phase 1 when another host failed. deployToHost runs both phases.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { crashPoint } from '../../core/crash-point.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { ContainerEngine, ContainerInfo } from './container-engine.ts';
import type { DeployConfig, EnvironmentConfig } from '../config/deploy-config.ts';
import type { EnvironmentProxy } from '../proxy/environment-proxy.ts';
import { waitHealthy } from './healthcheck.ts';

export interface HostDeployRequest {
  project: string;
  environment: EnvironmentConfig;
  config: DeployConfig;
  releaseId: string;
  sha: string;
  /** Full pull reference, by digest, as this host reaches the registry: `127.0.0.1:8080/proj/hello@sha256:…`. */
  image: string;
  registryAuth?: { username: string; password: string };
  insecureRegistry: boolean;
  /** Resolved secret values (env.secret), merged over env.clear. */
  secretEnv?: Record<string, string>;
  engine: ContainerEngine;
  proxy: EnvironmentProxy;
  /** Opens a connection to a port on the host's loopback; default: this machine's loopback. */
  connect?: (port: number) => Promise<Duplex>;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Id of the Slipway installation; scopes which containers count as this environment's. */
  instance?: string;
  /**
   * Remove the environment's old containers before the new one starts rather than after
   * the switch (strategies/recreate.ts: apps that cannot run twice, e.g. holding a lock or a volume).
   */
  stopOldFirst?: boolean;
}

/** A started, healthy container not yet taking traffic. */
export interface Candidate {
  container: string;
  hostPort: number;
  /** The environment's other containers on the host when it started (to stop after the switch). */
  old: ContainerInfo[];
}

export const labels = { instance: 'slipway.instance', project: 'slipway.project', environment: 'slipway.environment', release: 'slipway.release' } as const;

export async function deployToHost(request: HostDeployRequest): Promise<Candidate> {
  const candidate = await startCandidate(request);
  await switchToCandidate(request, candidate);
  return candidate;
}

export async function startCandidate(request: HostDeployRequest): Promise<Candidate> {
  const { project, environment, config, log, signal } = request;
  const engine = request.engine.withLog(log);
  const stopOldFirst = request.stopOldFirst ?? false;
  log(`==> deploying ${request.sha.slice(0, 12)} (release ${request.releaseId}) to ${environment.name}, strategy ${environment.strategy}`);

  if (await engine.imageExists(request.image)) log(`image ${request.image} is already present`);
  else await engine.pull(request.image, { insecure: request.insecureRegistry, auth: request.registryAuth, signal });
  signal?.throwIfAborted();

  // Several Slipway installations may share one container engine (a laptop's, a test
  // machine's): the instance label keeps each to its own containers.
  const scope = environmentScope(request);
  const old = await engine.list(scope);
  if (stopOldFirst) await removeAll(engine, old, config.stopTimeoutMs, log);

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
  crashPoint('deploy-started');

  try {
    const url = `http://127.0.0.1:${started.hostPort}${config.healthcheck.path}`;
    log(`waiting for ${url} (every ${config.healthcheck.intervalMs}ms, up to ${config.healthcheck.deadlineMs}ms)`);
    const connect = request.connect;
    const health = await waitHealthy(url, config.healthcheck, signal, connect && (() => connect(started.hostPort)));
    if (!health.ok) {
      const output = health.lastOutput.trim() || (await engine.logs(name, 20)) || '(no output)';
      throw new SlipwayError('HEALTHCHECK_FAILED', `${name}: ${health.reason}\nlast output:\n${output}`);
    }
    log(`healthy after ${health.attempts} attempt${health.attempts === 1 ? '' : 's'}`);
    crashPoint('deploy-checked');
  } catch (err) {
    // The new container never took traffic: remove it and leave the old one serving.
    log(`removing ${name}; ${old.length > 0 && !stopOldFirst ? 'the previous release keeps serving' : 'nothing is serving'}`);
    await engine.remove(name);
    throw err;
  }
  return { container: name, hostPort: started.hostPort, old: stopOldFirst ? [] : old };
}

export async function switchToCandidate(request: HostDeployRequest, candidate: Candidate): Promise<void> {
  const { config, log, proxy } = request;
  const previous = await proxy.switchTo(candidate.hostPort);
  log(`switched traffic to ${candidate.container}`);
  crashPoint('deploy-switched');
  if (previous !== undefined && previous !== candidate.hostPort) {
    log(`draining 127.0.0.1:${previous} (up to ${config.drainTimeoutMs}ms)`);
    const { drained } = await proxy.drain(previous, config.drainTimeoutMs);
    if (!drained) log('drain timed out; closing the remaining connections');
    crashPoint('deploy-drained');
  }
  await removeAll(request.engine.withLog(log), candidate.old.filter((c) => c.name !== candidate.container), config.stopTimeoutMs, log);
  log(`==> ${request.environment.name} now runs ${request.sha.slice(0, 12)} as ${candidate.container}`);
}

/** Removes a candidate that never took traffic (another host failed first). */
export async function discardCandidate(request: HostDeployRequest, candidate: Candidate): Promise<void> {
  request.log(`removing ${candidate.container}; the previous release keeps serving`);
  await request.engine.withLog(request.log).remove(candidate.container);
}

function environmentScope(request: HostDeployRequest): Record<string, string> {
  return { ...(request.instance ? { [labels.instance]: request.instance } : {}), [labels.project]: request.project, [labels.environment]: request.environment.name };
}

/** `slipway-<project>-<env>-<short sha or release>-<random>`; valid as a container name. */
function containerName(project: string, environment: string, version: string): string {
  const short = version.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, 12);
  return `slipway-${project}-${environment}-${short}-${randomBytes(3).toString('hex')}`;
}

async function removeAll(engine: ContainerEngine, containers: ContainerInfo[], stopTimeoutMs: number, log: (line: string) => void): Promise<void> {
  for (const c of containers) {
    log(`stopping ${c.name}`);
    const removing = engine.remove(c.name, Math.ceil(stopTimeoutMs / 1000));
    crashPoint('deploy-removing-old');
    await removing;
  }
}
