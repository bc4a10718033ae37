import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str } from '../command.ts';
import { Client, CliError } from '../client.ts';
import { ago, table } from '../output.ts';
import { readSecret } from './read-secret.ts';

const usage = 'set PROJECT ENV NAME | list PROJECT ENV [--json] | rm PROJECT ENV NAME';

export const secretsCommand: Command = {
  name: 'secrets',
  summary: "set, list or remove an environment's secrets",
  usage,
  help: `  set            read the value from stdin (not echoed on a terminal; one trailing newline is removed)\n  list           names and update times; values are never shown\n  rm             remove a secret\n${clientHelp}`,
  options: clientOptions,
  async run(values, [action, project, env, name]) {
    if (!project || !env || (action !== 'list' && !name)) throw new CliError(`usage: slipway secrets ${usage}`, 2);
    const client = new Client({ server: str(values.server), data: str(values.data) });
    const base = `/api/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/secrets`;
    if (action === 'set') {
      const value = await readSecret(`Value of ${name} for ${project}/${env}: `);
      if (value === '') throw new CliError('empty value: nothing stored');
      await client.json('PUT', `${base}/${encodeURIComponent(name!)}`, { value });
      console.log(`secret ${name} set for ${project}/${env}; it takes effect at the next deployment`);
      return 0;
    }
    if (action === 'list') {
      const list = await client.json<{ name: string; updatedAt: string }[]>('GET', base);
      if (values.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0) console.log(`no secrets for ${project}/${env}`);
      else console.log(table(['NAME', 'UPDATED'], list.map((s) => [s.name, ago(s.updatedAt)])));
      return 0;
    }
    if (action === 'rm') {
      await client.json('DELETE', `${base}/${encodeURIComponent(name!)}`);
      console.log(`secret ${name} removed from ${project}/${env}`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use set, list or rm`, 2);
  },
};
