// `slipway lint`'s runner-label check (issue 12 item 4): a job whose `runs-on` no runner
// offers waits until runner.queueTimeout and fails, so lint says so before a push. The
// labels are this machine's runner.labels (DATA/config.yml, else the built-in defaults);
// remote runners may offer more, so it is a warning, never an error.
import type { Diagnostic } from '../core/errors.ts';
import type { Workflow } from '../workflow/model.ts';
import { loadConfig } from '../config/config.ts';
import { defaultRunnerLabels } from '../config/runner-labels.ts';
import { runnerLabels } from '../runner/executors/shell/host-executor.ts';

/** The labels the built-in runner of the server whose data dir is `dir` offers; the defaults when its config cannot be read. */
export function configuredLabels(dir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const config = loadConfig({ dataDir: dir, env });
    return runnerLabels(Object.keys(config.runner.labels), config.runner.host);
  } catch {
    return Object.keys(defaultRunnerLabels);
  }
}

/** One warning per job whose labels include one nothing offers (labels from expressions are known only when the job runs). */
export function labelWarnings(workflow: Workflow, offered: readonly string[]): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const job of workflow.jobs) {
    if (job.uses) continue; // a reusable-workflow call runs the called jobs' labels
    const missing = job.runsOn.filter((label) => !label.includes('${{') && !offered.includes(label));
    if (missing.length === 0) continue;
    warnings.push({
      ...job.pos,
      path: `jobs.${job.id}.runs-on`,
      message: `no runner label matches [${missing.join(', ')}] (configured: [${offered.join(', ')}]); the job would wait for runner.queueTimeout and fail. Map the label to an image in runner.labels, or use one of those`,
    });
  }
  return warnings;
}
