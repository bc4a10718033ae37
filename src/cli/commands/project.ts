import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { table } from '../output.ts';

export const projectCommand: Command = {
  name: 'project',
  summary: 'create or list projects',
  usage: 'create NAME | list [--json]',
  help: `  create NAME    create a project (a push to /git/NAME.git also creates it)\n  list           list projects\n${clientHelp}`,
  options: clientOptions,
  async run(values, [action, name]) {
    const client = clientFor(values);
    if (action === 'create') {
      if (!name) throw new CliError('usage: slipway project create NAME', 2);
      const p = await client.json<{ name: string }>('POST', '/api/projects', { name });
      if (values.json) console.log(JSON.stringify(p));
      else console.log(`project ${p.name}: push with  git push ${client.url}/git/${p.name}.git <branch>`);
      return 0;
    }
    if (action === 'list' || action === undefined) {
      const list = await client.json<{ name: string; createdAt: string }[]>('GET', '/api/projects');
      console.log(values.json ? JSON.stringify(list, null, 2) : table(['PROJECT', 'GIT URL'], list.map((p) => [p.name, `${client.url}/git/${p.name}.git`])));
      return 0;
    }
    throw new CliError(`unknown action "${action}": use create or list`, 2);
  },
};
