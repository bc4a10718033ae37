import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';
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
    const client = clientFor(values);
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
      printList(list, Boolean(values.json), `no secrets for ${project}/${env}`, ['NAME', 'UPDATED'], (s) => [s.name, ago(s.updatedAt)]);
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
