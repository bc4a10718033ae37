import type { Command } from '../command.ts';
import { clientOptions, clientHelp, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { readEvents } from '../sse-client.ts';
import type { RunView } from './runs.ts';
import { statusText } from '../output.ts';

export const logsCommand: Command = {
  name: 'logs',
  summary: "print a run's (or a deployment's) log",
  usage: 'RUN [-f] | --deployment ID [-f]',
  help: `  RUN              run id, or PROJECT#NUMBER (as \`slipway runs\` shows)
  -f, --follow     stream the log live until the run ends; exit 1 if it did not succeed
  --deployment ID  a deployment's log instead
${clientHelp}`,
  options: { ...clientOptions, follow: { type: 'boolean', short: 'f' }, deployment: { type: 'string' } },
  async run(values, [ref]) {
    const client = clientFor(values);
    const deployment = str(values.deployment);
    if (!ref && !deployment) throw new CliError('usage: slipway logs RUN [-f]', 2);
    const path = deployment ? `/api/deployments/${encodeURIComponent(deployment)}/logs` : `/api/runs/${encodeURIComponent(ref!)}/logs`;
    if (!values.follow) {
      process.stdout.write(await (await client.request('GET', path)).text());
      if (!deployment) await printRunWarnings(client, ref!);
      return 0;
    }
    const res = await client.request('GET', `${path}?follow=1`, undefined, { accept: 'text/event-stream' });
    for await (const e of readEvents(res)) {
      if (e.event === 'log') process.stdout.write((JSON.parse(e.data) as { text: string }).text);
      if (e.event === 'end') break;
    }
    if (deployment) {
      const d = await client.json<{ status: string }>('GET', `/api/deployments/${encodeURIComponent(deployment)}`);
      console.error(`deployment ${statusText(d.status)}`);
      return d.status === 'success' ? 0 : 1;
    }
    await printRunWarnings(client, ref!);
    const run = await client.json<RunView>('GET', `/api/runs/${encodeURIComponent(ref!)}`);
    if (values.json) console.log(JSON.stringify(run, null, 2));
    else console.error(`run ${run.project}#${run.number} ${statusText(run.status)}${run.error ? `\n${run.error}` : ''}`);
    return run.status === 'success' ? 0 : 1;
  },
};

/** Warnings and errors the run carries besides its log (annotations such as deploy.yml's protection note), on stderr. */
async function printRunWarnings(client: ReturnType<typeof clientFor>, ref: string): Promise<void> {
  const annotations = await client.json<{ level: string; message: string; file: string | null; line: number | null }[]>('GET', `/api/runs/${encodeURIComponent(ref)}/annotations`);
  for (const a of annotations) {
    if (a.level === 'notice') continue;
    // A message that starts with its file already names where it is.
    const where = a.file && !a.message.startsWith(`${a.file}:`) ? `${a.file}${a.line !== null ? `:${a.line}` : ''}: ` : '';
    console.error(`${a.level}: ${where}${a.message}`);
  }
}
