import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { table } from '../output.ts';

const usage = 'create NAME | list [--json] | show NAME | public NAME on|off';

export const projectCommand: Command = {
  name: 'project',
  summary: 'create, list, show projects; make one public',
  usage,
  help: `  create NAME    create a project, you its maintainer (a first push to /git/NAME.git also does)
  list           the projects you may read
  show NAME      whether it is public, and your role in it
  public NAME on|off
                 on: anyone may clone, pull its images and read its runs and releases (maintainers)
${clientHelp}`,
  options: clientOptions,
  async run(values, [action, name, setting]) {
    const client = clientFor(values);
    if (action === 'create') {
      if (!name) throw new CliError('usage: slipway project create NAME', 2);
      const p = await client.json<{ name: string }>('POST', '/api/projects', { name });
      if (values.json) console.log(JSON.stringify(p));
      else console.log(`project ${p.name}: push with  git push ${client.url}/git/${p.name}.git <branch>`);
      return 0;
    }
    if (action === 'list' || action === undefined) {
      const list = await client.json<{ name: string; public: boolean; createdAt: string }[]>('GET', '/api/projects');
      console.log(values.json ? JSON.stringify(list, null, 2) : table(['PROJECT', 'VISIBILITY', 'GIT URL'], list.map((p) => [p.name, p.public ? 'public' : 'private', `${client.url}/git/${p.name}.git`])));
      return 0;
    }
    if (action === 'show') {
      if (!name) throw new CliError('usage: slipway project show NAME', 2);
      const p = await client.json<{ name: string; public: boolean; role: string | null }>('GET', `/api/projects/${encodeURIComponent(name)}`);
      console.log(values.json ? JSON.stringify(p, null, 2) : `project ${p.name}: ${p.public ? 'public' : 'private'}; your role: ${p.role ?? 'none'}`);
      return 0;
    }
    if (action === 'public') {
      if (!name || (setting !== 'on' && setting !== 'off')) throw new CliError('usage: slipway project public NAME on|off', 2);
      const p = await client.json<{ name: string; public: boolean }>('PUT', `/api/projects/${encodeURIComponent(name)}/visibility`, { public: setting === 'on' });
      if (values.json) console.log(JSON.stringify(p));
      else console.log(p.public ? `project ${p.name} is public: anyone may clone it, pull its images and read its runs and releases` : `project ${p.name} is private`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use ${usage}`, 2);
  },
};
