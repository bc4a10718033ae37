import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import type { RunView } from './runs.ts';
import { statusText } from '../output.ts';

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a run (its always() steps still run)',
  usage: 'RUN [--json]',
  help: `  RUN            run id, or PROJECT#NUMBER (as \`slipway runs\` shows)\n${clientHelp}`,
  options: { ...clientOptions },
  async run(values, [ref]) {
    if (!ref) throw new CliError('usage: slipway cancel RUN', 2);
    const client = clientFor(values);
    const run = await client.json<RunView>('POST', `/api/runs/${encodeURIComponent(ref)}/cancel`);
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else console.log(`run ${run.project}#${run.number}: ${statusText(run.status)}${run.status === 'running' ? ' (stopping its jobs)' : ''}`);
    return 0;
  },
};
