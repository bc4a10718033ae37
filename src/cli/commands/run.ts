import { readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
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
import { eventNames, graph, listJobs } from '../run-list.ts';
import { eventOf, eventPayload, pairs, runInputs, workflowFiles } from '../run-options.ts';

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
  usage: '[EVENT] [WORKFLOW_FILE]... [-W PATH] [-j JOB] [--list | --graph] [-P label=image]... [--eventpath F] [--env-file F] [--secret-file F] [-s NAME[=v]]... [--var k=v]... [--input k=v]...',
  help: `  EVENT              push (default), workflow_dispatch, schedule or repository_dispatch, as act's first argument
  WORKFLOW_FILE      a workflow to run (default: every workflow the event triggers)
  -W, --workflows P  a workflow file, or a folder of them (repeatable)
  -j, --job J        only job J and the jobs it needs
  -l, --list         list the jobs (stage, id, name, workflow, events) and run nothing
  -g, --graph        draw the jobs' needs and run nothing
  --event E          the event (instead of EVENT)
  -e, --eventpath F  github.event (and $GITHUB_EVENT_PATH) from a JSON file
  --input k=v        workflow_dispatch input (repeatable; also read from the event file's inputs)
  --env-file F       dotenv file of environment variables for every job
  --env k=v          an environment variable for every job (repeatable)
  --secret-file F    dotenv file of secrets (quotes, \\n in double quotes, comments, export)
  -s NAME[=value]    a secret; without a value, this shell's $NAME (repeatable)
  --var k=v          a \`vars\` value (repeatable)
  -P label=image     run jobs with runs-on label in image (builtin, host or -self-hosted: this machine's shell)
  --matrix k:v       only matrix legs where k is v (repeatable)
  --json             print the summary as JSON`,
  options: {
    job: { type: 'string', short: 'j' },
    workflows: { type: 'string', short: 'W', multiple: true },
    list: { type: 'boolean', short: 'l' },
    graph: { type: 'boolean', short: 'g' },
    event: { type: 'string' },
    eventpath: { type: 'string', short: 'e' },
    input: { type: 'string', multiple: true },
    'env-file': { type: 'string' },
    env: { type: 'string', multiple: true },
    'secret-file': { type: 'string' },
    secret: { type: 'string', short: 's', multiple: true },
    var: { type: 'string', multiple: true },
    platform: { type: 'string', short: 'P', multiple: true },
    matrix: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(values, positionals) {
    const cwd = process.cwd();
    const { event, positionals: named } = eventOf(values, positionals, cwd);
    const chosen = named.length > 0 || ((values.workflows as string[] | undefined) ?? []).length > 0;
    const workflows: Workflow[] = [];
    for (const file of workflowFiles(cwd, named, (values.workflows as string[] | undefined) ?? [])) {
      const { workflow, diagnostics } = parseWorkflow(relative(cwd, file), readFileSync(file, 'utf8'));
      if (!workflow) throw new CliError(diagnostics.map(formatDiagnostic).join('\n'));
      if (chosen || values.list || values.graph || eventNames(workflow).includes(event)) workflows.push(workflow);
    }
    if (values.list || values.graph) {
      console.log(values.list ? listJobs(workflows) : workflows.map(graph).join('\n\n'));
      return 0;
    }
    if (workflows.length === 0) throw new CliError(`no workflow in ${cwd} runs on ${event}`);
    const payload = eventPayload(str(values.eventpath), cwd);
    const given = runInputs(values, payload);
    const matrix = pairs((values.matrix as string[] | undefined) ?? [], ':', '--matrix');
    const { runLocally } = await import('../local-run.ts');
    const multi = workflows.length > 1;
    let failed = false;
    const summary: { workflow: string; jobs: Job[] }[] = [];
    for (const parsed of workflows) {
      // --env-file and --env under the workflow's own `env`, as act gives them.
      const workflow = { ...parsed, env: { ...given.env, ...parsed.env } };
      let typedInputs: Record<string, unknown> = {};
      if (event === 'workflow_dispatch') {
        const resolved = resolveInputs(workflow.on.workflowDispatch?.inputs ?? {}, given.inputs);
        if (!resolved.inputs) throw new CliError(`${workflow.file}: ${resolved.errors.join('; ')}`, 2);
        typedInputs = resolved.inputs;
      }
      const { called, diagnostics } = await loadCalledWorkflows(workflow, async (path) => {
        const file = join(cwd, path);
        return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      });
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
        secrets: given.secrets,
        vars: given.vars,
        labels: given.labels,
        eventPayload: payload,
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
      console.log(JSON.stringify(summary.map((s) => ({ workflow: s.workflow, jobs: s.jobs.map((j) => ({ key: j.key, status: j.status, error: j.error, startedAt: j.started_at, finishedAt: j.finished_at })) })), null, 2));
    } else {
      console.log();
      console.log(table(['WORKFLOW', 'JOB', 'STATUS', 'DURATION'], summary.flatMap((s) => s.jobs.map((j) => [s.workflow, j.key, statusText(j.status), duration(j.started_at, j.finished_at)]))));
    }
    return failed ? 1 : 0;
  },
};
