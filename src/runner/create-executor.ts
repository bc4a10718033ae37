// The executor for a job: a container when the job says `container:`, else the host shell.
// Shared by the server's built-in runner and `slipway run`.
import type { Executor } from './executor.ts';
import type { JobSpec } from '../workflow/model.ts';
import { ShellExecutor } from './executors/shell/shell-executor.ts';
import { ContainerExecutor } from './executors/container/container-executor.ts';

export function executorFactory(namePrefix: string) {
  return (spec: JobSpec, jobId: string): Executor =>
    spec.container
      ? new ContainerExecutor({ container: spec.container, name: `${namePrefix}-${jobId}`, labels: { 'slipway.job': jobId } })
      : new ShellExecutor();
}
