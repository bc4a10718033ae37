import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';
import { readSecret } from './read-secret.ts';

const usage = 'set PROJECT [ENV] NAME | list PROJECT [ENV] [--json] | rm PROJECT [ENV] NAME';

/** `PROJECT NAME` is a project secret, `PROJECT ENV NAME` an environment's (list: `PROJECT [ENV]`). */
function scopeOf(action: string | undefined, args: string[]): { project: string; env?: string; name?: string } | undefined {
  const [project, ...rest] = args;
  if (!project) return undefined;
  if (action === 'list') return rest.length <= 1 ? { project, env: rest[0] } : undefined;
  if (rest.length === 1) return { project, name: rest[0] };
  if (rest.length === 2) return { project, env: rest[0], name: rest[1] };
  return undefined;
}

export const secretsCommand: Command = {
  name: 'secrets',
  summary: "set, list or remove a project's or an environment's secrets",
  usage,
  help: [
    '  Without ENV, a project secret: every job of the project sees it as ${{ secrets.NAME }}.',
    '  With ENV, an environment secret: deployments to ENV get it (deploy.yml env.secret), and so do',
    '  jobs with `environment: ENV` once that environment lets them (no approval, an allowed branch).',
    '  set            read the value from stdin (not echoed on a terminal; one trailing newline is removed)',
    '  list           names and update times; values are never shown',
    '  rm             remove a secret',
    clientHelp,
  ].join('\n'),
  options: clientOptions,
  async run(values, [action, ...args]) {
    const scope = scopeOf(action, args);
    if (!scope) throw new CliError(`usage: slipway secrets ${usage}`, 2);
    const { project, env, name } = scope;
    const client = clientFor(values);
    const p = `/api/projects/${encodeURIComponent(project)}`;
    const base = env === undefined ? `${p}/secrets` : `${p}/environments/${encodeURIComponent(env)}/secrets`;
    const where = env === undefined ? `project ${project}` : `${project}/${env}`;
    if (action === 'set') {
      const value = await readSecret(`Value of ${name} for ${where}: `);
      if (value === '') throw new CliError('empty value: nothing stored');
      await client.json('PUT', `${base}/${encodeURIComponent(name!)}`, { value });
      console.log(`secret ${name} set for ${where}; it takes effect at the next ${env === undefined ? 'job' : 'deployment or job'}`);
      return 0;
    }
    if (action === 'list') {
      const list = await client.json<{ name: string; updatedAt: string }[]>('GET', base);
      printList(list, Boolean(values.json), `no secrets for ${where}`, ['NAME', 'UPDATED'], (s) => [s.name, ago(s.updatedAt)]);
      return 0;
    }
    if (action === 'rm') {
      await client.json('DELETE', `${base}/${encodeURIComponent(name!)}`);
      console.log(`secret ${name} removed from ${where}`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use set, list or rm`, 2);
  },
};
