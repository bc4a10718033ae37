import { readFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { str } from '../command.ts';
import { CliError } from '../client.ts';
import { parseWorkflow } from '../../workflow/parse/parse-workflow.ts';
import { planWorkflow } from '../../workflow/plan/plan.ts';
import { loadCalledWorkflows } from '../../workflow/plan/reusable.ts';
import { resolveInputs } from '../../workflow/triggers.ts';
import { formatDiagnostic } from '../../core/errors.ts';
import type { Plan, Workflow } from '../../workflow/model.ts';
import type { Job } from '../../store/repos/runs.ts';
import { duration, paint, statusText, table } from '../output.ts';
import { localWorkflowFiles } from '../local-workflows.ts';
import { localActionSources } from '../cli-action-sources.ts';
import { dataDir } from '../paths.ts';
import { readAnything } from '../../git/actions/action-sources.ts';
import { remoteWorkflowLoader } from '../../git/actions/remote-workflow.ts';

/** KEY=VALUE lines; `#` comments and blank lines ignored. */
function readSecretFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new CliError(`${path}:${i + 1}: expected NAME=value`, 2);
    out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

function pairs(values: string[], sep: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(sep);
    if (i <= 0) throw new CliError(`${what} "${v}": expected NAME${sep}value`, 2);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** Keeps job `only` and everything it needs, transitively (a leg key or a job id). */
function selectJobs(plan: Plan, only: string | undefined, matrix: Record<string, string>): Plan {
  let jobs = plan.jobs.filter((j) => !j.matrix || Object.entries(matrix).every(([k, v]) => !(k in j.matrix!) || String(j.matrix![k]) === v));
  if (only) {
    const wanted = new Set<string>();
    const visit = (key: string) => {
      if (wanted.has(key)) return;
      wanted.add(key);
      for (const n of jobs.find((j) => j.key === key)?.needs ?? []) visit(n);
    };
    const roots = jobs.filter((j) => j.key === only || j.jobId === only);
    if (roots.length === 0) throw new CliError(`no job "${only}" in ${plan.workflow}: jobs are ${[...new Set(plan.jobs.map((j) => j.jobId))].join(', ')}`, 2);
    roots.forEach((j) => visit(j.key));
    jobs = jobs.filter((j) => wanted.has(j.key));
  }
  const keys = new Set(jobs.map((j) => j.key));
  return { ...plan, jobs: jobs.map((j) => ({ ...j, needs: j.needs.filter((n) => keys.has(n)) })) };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a workflow from the current directory on this machine (no server)',
  usage: '[WORKFLOW_FILE] [--job J] [--event push|workflow_dispatch] [--input k=v]... [--secret-file F] [--matrix k:v]...',
  help: `  WORKFLOW_FILE    the workflow to run (default: every workflow the event triggers)
  --job J          only job J and the jobs it needs
  --event E        push (default) or workflow_dispatch
  --input k=v      workflow_dispatch input (repeatable)
  --secret-file F  secrets as NAME=value lines
  --matrix k:v     only matrix legs where k is v (repeatable)
  --json           print the summary as JSON`,
  options: {
    job: { type: 'string' },
    event: { type: 'string' },
    input: { type: 'string', multiple: true },
    'secret-file': { type: 'string' },
    matrix: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(values, positionals) {
    const cwd = process.cwd();
    const event = str(values.event) ?? 'push';
    if (!['push', 'workflow_dispatch'].includes(event)) throw new CliError(`--event: expected push or workflow_dispatch, got "${event}"`, 2);
    const files = positionals.length > 0 ? positionals.map((p) => resolve(cwd, p)) : localWorkflowFiles(cwd).map((f) => join(cwd, f));
    const workflows: Workflow[] = [];
    for (const file of files) {
      const rel = relative(cwd, file);
      const { workflow, diagnostics } = parseWorkflow(rel, readFileSync(file, 'utf8'));
      if (!workflow) throw new CliError(diagnostics.map(formatDiagnostic).join('\n'));
      const triggered = event === 'push' ? workflow.on.push !== undefined : workflow.on.workflowDispatch !== undefined;
      if (positionals.length > 0 || triggered) workflows.push(workflow);
    }
    if (workflows.length === 0) throw new CliError(`no workflow in ${cwd} runs on ${event}`);
    const secrets = str(values['secret-file']) ? readSecretFile(str(values['secret-file'])!) : {};
    const inputs = pairs((values.input as string[] | undefined) ?? [], '=', '--input');
    const matrix = pairs((values.matrix as string[] | undefined) ?? [], ':', '--matrix');
    const { runLocally } = await import('../local-run.ts');
    const multi = workflows.length > 1;
    // Remote actions resolve through this machine's data dir (mirrors, cache) and its configured sources.
    const actions = { sources: localActionSources(dataDir()), accessFor: () => readAnything };
    let failed = false;
    const summary: { workflow: string; jobs: Job[] }[] = [];
    for (const workflow of workflows) {
      let typedInputs: Record<string, unknown> = {};
      if (event === 'workflow_dispatch') {
        const resolved = resolveInputs(workflow.on.workflowDispatch?.inputs ?? {}, inputs);
        if (!resolved.inputs) throw new CliError(`${workflow.file}: ${resolved.errors.join('; ')}`, 2);
        typedInputs = resolved.inputs;
      }
      const { called, diagnostics } = await loadCalledWorkflows(workflow, async (path) => {
        const file = join(cwd, path);
        return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      }, {}, remoteWorkflowLoader(actions.sources, readAnything));
      if (diagnostics.length > 0) throw new CliError(diagnostics.map(formatDiagnostic).join('\n'));
      const plan = selectJobs(planWorkflow(workflow, called), str(values.job), matrix);
      if (!values.json) console.log(paint('bold', `▶ ${workflow.name} (${workflow.file}): ${plan.jobs.map((j) => j.key).join(', ')}`));
      const partial = new Map<string, string>();
      const { run, jobs } = await runLocally({
        dir: cwd,
        workflow,
        plan,
        event,
        inputs: typedInputs,
        secrets,
        actions,
        onLog: (key, text) => {
          if (values.json) return;
          const buffered = (partial.get(key) ?? '') + text;
          const lines = buffered.split('\n');
          partial.set(key, lines.pop()!);
          const prefix = paint('cyan', `[${multi ? `${workflow.name}/` : ''}${key}]`);
          for (const line of lines) console.log(`${prefix} ${line}`);
        },
        onJob: () => {},
      });
      summary.push({ workflow: workflow.name, jobs });
      if (run.status !== 'success') failed = true;
    }
    if (values.json) {
      console.log(JSON.stringify(summary.map((s) => ({ workflow: s.workflow, jobs: s.jobs.map((j) => ({ key: j.key, status: j.status, startedAt: j.started_at, finishedAt: j.finished_at })) })), null, 2));
    } else {
      console.log();
      console.log(table(['WORKFLOW', 'JOB', 'STATUS', 'DURATION'], summary.flatMap((s) => s.jobs.map((j) => [s.workflow, j.key, statusText(j.status), duration(j.started_at, j.finished_at)]))));
    }
    return failed ? 1 : 0;
  },
};
