// The executor for a job. User code never runs beside the platform: a job runs in a
// container of its `container:` image, or else of the image its `runs-on` labels map to
// (runner.labels); only a label an admin mapped to `host` (with runner.host: true) runs
// on this machine's shell. Shared by the server's built-in runner and `slipway run`.
import type { Executor } from './executor.ts';
import type { JobSpec } from '../workflow/model.ts';
import type { OutputSink } from '../core/types.ts';
import { builtinJobImage, hostExecutor } from '../config/runner-labels.ts';
import { ensureJobImage } from '../build/job-image/job-image.ts';
import { ShellExecutor } from './executors/shell/shell-executor.ts';
import { ContainerExecutor } from './executors/container/container-executor.ts';

interface ExecutorChoice {
  /** Prefixes container names: `<prefix>-<job id>`. */
  namePrefix: string;
  /** `runs-on` label → image, `builtin` or `host`; labels not listed run in the built-in job image. */
  labels: Readonly<Record<string, string>>;
  /**
   * Executors for labels mapped to `host`: the isolated host executor on a server
   * (runner.host); without it (`slipway run`, on the user's own machine) the plain shell.
   */
  host?: (spec: JobSpec, jobId: string) => Executor;
  /** Where executors make per-job temp folders (runner/job-leftovers.ts); default os.tmpdir(). */
  tempRoot?: string;
}

/** What the job's labels map to: the first of its `runs-on` labels the map knows. */
export function labelTarget(runsOn: readonly string[], labels: Readonly<Record<string, string>>): string {
  for (const label of runsOn) {
    const target = labels[label];
    if (target) return target;
  }
  return builtinJobImage;
}

export function executorFactory(choice: ExecutorChoice) {
  return (spec: JobSpec, jobId: string): Executor => {
    const name = `${choice.namePrefix}-${jobId}`;
    const labels = { 'slipway.job': jobId };
    const { tempRoot } = choice;
    if (spec.container) return new ContainerExecutor({ container: spec.container, name, labels, tempRoot });
    const target = labelTarget(spec.runsOn, choice.labels);
    if (target === hostExecutor) return choice.host ? choice.host(spec, jobId) : new ShellExecutor({ tempRoot });
    const container = { image: target, env: {} };
    return target === builtinJobImage
      ? new ContainerExecutor({ container, name, labels, tempRoot, bashWhenAvailable: true, prepareImage: (onOutput: OutputSink) => ensureJobImage(onOutput) })
      : new ContainerExecutor({ container, name, labels, tempRoot, bashWhenAvailable: true });
  };
}
