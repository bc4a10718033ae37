import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import type { RunView } from './runs.ts';
import { followRun } from '../follow-run.ts';

export const rerunCommand: Command = {
  name: 'rerun',
  summary: 'run a finished run again, as a new attempt',
  usage: 'RUN [--failed | --job KEY] [--wait] [--json]',
  help: `  RUN            run id, or PROJECT#NUMBER
  --failed       only the failed and cancelled jobs, and the jobs that depend on them
  --job KEY      only this job (or matrix leg), and the jobs that depend on it
  --wait         follow the run, printing each job's and step's state as it changes; exit 1 unless it succeeds
${clientHelp}`,
  options: { ...clientOptions, failed: { type: 'boolean' }, job: { type: 'string' }, wait: { type: 'boolean' } },
  async run(values, [ref]) {
    if (!ref) throw new CliError('usage: slipway rerun RUN [--failed | --job KEY]', 2);
    const job = str(values.job);
    if (job && values.failed) throw new CliError('--failed and --job exclude each other', 2);
    const client = clientFor(values);
    const run = await client.json<RunView & { attempt: number }>('POST', `/api/runs/${encodeURIComponent(ref)}/rerun`, { jobs: job ?? (values.failed ? 'failed' : 'all') });
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else console.log(`run ${run.project}#${run.number}: attempt ${run.attempt} queued (${run.jobs.filter((j) => j.status === 'queued').map((j) => j.key).join(', ')})`);
    return values.wait && !values.json ? followRun(client, run) : 0;
  },
};
