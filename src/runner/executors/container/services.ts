// Service containers (docs.github.com "About service containers"): before the first step
// the job gets its own network; each service runs on it with its name as network alias,
// its `ports` published on 127.0.0.1 (so steps on the host reach it as localhost:<port>)
// its `options` passed through (checked against the allow-list when the workflow was
// parsed), its image pulled with its `credentials`, its `volumes` mounted (job-volumes.ts)
// and its `entrypoint`/`command` replacing the image's; the job waits until each is
// healthy (its health check, when the image or options define one) or running.
// Everything, the job's named volumes too, is removed at job end.
// Both executors use it: steps on the host reach services through their published ports.
import type { ServiceSpec } from '../../../workflow/model.ts';
import { cliEnvArgs } from '../../../build/cli-env.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import type { JobSetup, ServiceContext } from '../../executor.ts';
import { createJobNetwork, ensureImage } from './engine-cli.ts';
import { removeJobVolumes, volumeArgs } from './job-volumes.ts';
import { tokenize } from '../shell-command.ts';

export interface JobServices {
  network: string;
  /** `job.services` context. */
  context: Record<string, ServiceContext>;
  stop(): Promise<void>;
}

interface StartServicesOptions {
  /** Unique per job; names the network and prefixes container names. */
  name: string;
  /** Names and labels the job's named volumes. */
  jobId: string;
  services: Record<string, ServiceSpec>;
  labels?: Record<string, string>;
  onOutput: (text: string) => void;
  /** How long each service may take to become healthy. Default 120 s. */
  healthTimeoutMs?: number;
  signal?: AbortSignal;
  engine?: string;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `"8080:80"` → `127.0.0.1:8080:80`; `"80"` → `127.0.0.1::80` (a free host port). */
export function publishArg(port: string): string {
  const parts = port.split(':');
  if (parts.length === 1) return `127.0.0.1::${parts[0]}`;
  if (parts.length === 2) return `127.0.0.1:${parts[0]}:${parts[1]}`;
  return port; // ip:host:container as written.
}

/** The job's services, or undefined when it has none (and so needs no network). */
export async function startJobServices(job: JobSetup, engine: string): Promise<JobServices | undefined> {
  if (Object.keys(job.services).length === 0) return undefined;
  return startServices({
    name: `slipway-${job.jobId}`.toLowerCase(), jobId: job.jobId, services: job.services, labels: { 'slipway.job': job.jobId },
    onOutput: job.onOutput, signal: job.signal, engine,
  });
}

async function startServices(o: StartServicesOptions): Promise<JobServices> {
  const engine = o.engine ?? 'podman';
  const network = o.name;
  const containers: string[] = [];
  const labels = Object.entries({ 'slipway.service': 'true', ...o.labels }).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const stop = async () => {
    // --volumes: a service's anonymous volumes go with it.
    for (const c of containers) await runTool(engine, ['rm', '--force', '--volumes', '--ignore', '--time', '0', c]);
    await runTool(engine, ['network', 'rm', '--force', network]);
    await removeJobVolumes(engine, o.jobId);
  };
  const context: Record<string, ServiceContext> = {};
  try {
    await createJobNetwork(engine, network, labels);
    for (const [id, spec] of Object.entries(o.services)) {
      const container = `${o.name}-${id}`;
      await ensureImage(engine, spec.image, o.onOutput, spec.credentials);
      const env = cliEnvArgs('-e', spec.env);
      const volumes = await volumeArgs(engine, o.jobId, spec.volumes);
      o.onOutput(`Starting service ${id} (${spec.image})\n`);
      containers.push(container);
      await runToolOrThrow(engine, [
        'run', '--detach', '--name', container, '--network', network, '--network-alias', id, ...labels,
        ...env.args, ...spec.ports.flatMap((p) => ['-p', publishArg(p)]), ...volumes, ...tokenize(spec.options ?? ''),
        ...(spec.entrypoint === undefined ? [] : ['--entrypoint', spec.entrypoint]),
        spec.image, ...tokenize(spec.command ?? ''),
      ], { env: env.env });
      context[id] = { id: container, network, ports: await publishedPorts(engine, container) };
    }
    for (const id of Object.keys(o.services)) await waitHealthy(engine, id, `${o.name}-${id}`, o);
  } catch (err) {
    await stop();
    throw err;
  }
  return { network, context, stop };
}

async function publishedPorts(engine: string, container: string): Promise<Record<string, string>> {
  const out = await runToolOrThrow(engine, ['port', container]);
  const ports: Record<string, string> = {};
  // `80/tcp -> 127.0.0.1:35315`
  for (const m of out.matchAll(/^(\d+)\/\w+ -> .*:(\d+)$/gm)) ports[m[1]!] = m[2]!;
  return ports;
}

async function waitHealthy(engine: string, id: string, container: string, o: StartServicesOptions): Promise<void> {
  const deadline = Date.now() + (o.healthTimeoutMs ?? 120_000);
  const hasCheck = (await runTool(engine, ['inspect', '--format', '{{json .Config.Healthcheck}}', container])).output.includes('"Test"');
  let last = '';
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    if (o.signal?.aborted) throw new SlipwayError('EXEC_FAILED', `service ${id}: cancelled while waiting for it to start`);
    const state = (await runTool(engine, ['inspect', '--format', '{{.State.Status}}', container])).output.trim();
    if (state === 'exited' || state === 'stopped') {
      const logs = (await runTool(engine, ['logs', '--tail', '20', container])).output;
      throw new SlipwayError('HEALTHCHECK_FAILED', `service ${id} exited before it was ready:\n${logs}`);
    }
    if (state === 'running') {
      // Without systemd, podman cannot schedule health checks itself: run them from here.
      if (!hasCheck) break;
      const check = await runTool(engine, ['healthcheck', 'run', container]);
      if (check.exitCode === 0) break;
      last = check.output.trim();
    }
    if (Date.now() > deadline) throw new SlipwayError('HEALTHCHECK_FAILED', `service ${id} was not healthy within ${Math.round((o.healthTimeoutMs ?? 120_000) / 1000)} s${last ? `: ${last}` : ''}`);
    await delay(wait);
  }
  o.onOutput(`Service ${id} is ${hasCheck ? 'healthy' : 'running'}\n`);
}
