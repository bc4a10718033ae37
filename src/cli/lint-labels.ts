// `slipway lint`'s runner-label check (issue 12 item 4): a job whose `runs-on` no runner
// offers waits until runner.queueTimeout and fails, so lint says so before a push. The
// labels are this machine's runner.labels (DATA/config.yml, else the built-in defaults);
// remote runners may offer more, so it is a warning, never an error. Jobs are checked as
// planned: each matrix leg with its own `runs-on: ${{ matrix.* }}` labels, and the jobs of
// called reusable workflows with theirs; a runner group (`runs-on: { group }`) is one more
// label (docs/workflow.md "Runner groups").
import type { Diagnostic } from '../core/errors.ts';
import { isSlipwayError } from '../core/errors.ts';
import type { Workflow } from '../workflow/model.ts';
import { planWorkflow } from '../workflow/plan/plan.ts';
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

/**
 * One warning per job (per distinct set of missing labels among its legs) whose labels
 * include one nothing offers. Labels from other expressions (github, inputs, needs) are
 * known only when the job runs and are not checked.
 */
export function labelWarnings(workflow: Workflow, offered: readonly string[], called: Record<string, Workflow> = {}): Diagnostic[] {
  let planned;
  try {
    planned = planWorkflow(workflow, called).jobs;
  } catch (err) {
    if (!isSlipwayError(err, 'WORKFLOW_INVALID')) throw err;
    return []; // The errors say why it cannot be planned.
  }
  const warnings = new Map<string, Diagnostic>();
  for (const job of planned) {
    const owner = job.workflow ? called[job.workflow] : workflow;
    const spec = owner?.jobs.find((j) => j.id === job.jobId);
    if (!spec) continue;
    const missing = job.runsOn.filter((label) => !label.includes('${{') && !offered.includes(label));
    if (missing.length === 0) continue;
    const group = spec.runsOnGroup !== undefined && missing.includes(spec.runsOnGroup)
      ? ` (runner group \`${spec.runsOnGroup}\` is a label its runners carry)`
      : '';
    const key = `${spec.pos.file}\n${spec.id}\n${missing.join(',')}`;
    warnings.set(key, {
      ...spec.pos,
      path: `jobs.${spec.id}.runs-on`,
      message: `no runner label matches [${missing.join(', ')}]${group} (configured: [${offered.join(', ')}]); the job would wait for runner.queueTimeout and fail. Map the label to an image in runner.labels, or use one of those`,
    });
  }
  return [...warnings.values()];
}
