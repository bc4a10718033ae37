// Where the host (shell) executor may run a job: only on a runner whose admin turned it on
// (config `runner.host: true`), and then only for jobs that ask for it with the runner
// label `host` (`runs-on: [self-hosted, host]`, as act_runner's `label:host`). Every other
// job goes to the executor the runner would choose anyway (a container). A host job runs
// isolated (host-isolation.ts), so its job directories must be reachable by its user:
// they live outside the data dir, which is 0700 (hostWorkDir).
import { mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../../../core/errors.ts';
import type { Executor } from '../../executor.ts';
import type { JobSpec } from '../../../workflow/model.ts';
import { HostIsolation } from './host-isolation.ts';
import { JobUsers } from './job-users.ts';
import { ShellExecutor } from './shell-executor.ts';

/** The `runs-on` label that selects the host executor. */
const hostLabel = 'host';

type ExecutorFactory = (spec: JobSpec, jobId: string) => Executor;

interface HostExecutorOptions {
  /** `runner.host`. */
  enabled: boolean;
  users?: JobUsers;
  killGraceMs?: number;
  /** Where per-job temp folders and job users' homes are made (runner/job-leftovers.ts); default os.tmpdir(). */
  tempRoot?: string;
}

/** Whether a job goes to the host executor. A job with `container:` always runs in it. */
function wantsHost(spec: JobSpec): boolean {
  return spec.runsOn.includes(hostLabel) && !spec.container;
}

/** The runner's labels: `host` is offered only where the host executor is on. */
export function runnerLabels(labels: readonly string[], enabled: boolean): string[] {
  return enabled ? [...new Set([...labels, hostLabel])] : labels.filter((l) => l !== hostLabel);
}

/** Isolated host executors (one unprivileged user per job running at once); needs root. */
export function hostExecutorFactory(options: Omit<HostExecutorOptions, 'enabled'> = {}): ExecutorFactory {
  if (process.getuid?.() !== 0) {
    throw new SlipwayError('CONFIG_INVALID', 'runner.host: true needs Slipway to run as root, to run each host job as an unprivileged user of its own');
  }
  const users = options.users ?? new JobUsers();
  const { killGraceMs, tempRoot } = options;
  return () => new ShellExecutor({ isolation: new HostIsolation(users, { killGraceMs, tempRoot }), killGraceMs, tempRoot });
}

/** `fallback` for every job, except `host` jobs where the host executor is on (`host`: the one isolated factory to use). */
export function withHostExecutor(options: HostExecutorOptions & { host?: ExecutorFactory }, fallback: ExecutorFactory): ExecutorFactory {
  if (!options.enabled) return fallback;
  const host = options.host ?? hostExecutorFactory(options);
  return (spec, jobId) => (wantsHost(spec) ? host(spec, jobId) : fallback(spec, jobId));
}

/**
 * Job directories for a runner with the host executor on: outside the data dir, one per
 * installation, traversable (0711) but not listable by the job users.
 */
export function hostWorkDir(instance: string): string {
  const dir = join(tmpdir(), `slipway-work-${instance}`);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, 0o711);
  return dir;
}
