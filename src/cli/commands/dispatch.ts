import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import type { RunView } from './runs.ts';
import { followRun } from '../follow-run.ts';

export const dispatchCommand: Command = {
  name: 'dispatch',
  summary: 'start a workflow_dispatch run of a workflow',
  usage: 'PROJECT WORKFLOW [--ref REF] [--input NAME=VALUE]... [--wait] [--json]',
  help: `  PROJECT        the project
  WORKFLOW       the workflow's file name (ci.yml) or path
  --ref REF      branch or tag to run on (default: the default branch)
  --input K=V    an input (repeatable); typed as the workflow declares it
  --wait         follow the run, printing each job's and step's state as it changes; exit 1 unless it succeeds
${clientHelp}`,
  options: { ...clientOptions, ref: { type: 'string' }, input: { type: 'string', multiple: true }, wait: { type: 'boolean' } },
  async run(values, [project, workflow]) {
    if (!project || !workflow) throw new CliError('usage: slipway dispatch PROJECT WORKFLOW [--ref REF] [--input K=V]...', 2);
    const inputs: Record<string, string> = {};
    for (const pair of (values.input as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new CliError(`--input ${JSON.stringify(pair)}: expected NAME=VALUE`, 2);
      inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const client = clientFor(values);
    const path = `/api/projects/${encodeURIComponent(project)}/workflows/${encodeURIComponent(workflow)}/dispatches`;
    const run = await client.json<RunView>('POST', path, { ref: str(values.ref), inputs });
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else console.log(`run ${run.project}#${run.number} queued: ${run.name} on ${run.ref.replace(/^refs\/(heads|tags)\//, '')} (${run.sha.slice(0, 7)})`);
    return values.wait && !values.json ? followRun(client, run) : 0;
  },
};
