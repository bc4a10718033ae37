import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { requestDeployment, waitHelp } from './deployment-request.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 're-deploy the previous (or a named) release of an environment',
  usage: 'PROJECT ENV [--to RELEASE] [--force] [--wait] [--json]',
  help: `  --to RELEASE   a release id or commit (default: the last successful release before the current one)\n  --force        skip the environment's approval gate (admins only)\n${waitHelp}\n${clientHelp}`,
  options: { ...clientOptions, to: { type: 'string' }, force: { type: 'boolean' }, wait: { type: 'boolean' } },
  async run(values, [project, env]) {
    if (!project || !env) throw new CliError('usage: slipway rollback PROJECT ENV [--to RELEASE] [--force]', 2);
    const client = clientFor(values);
    const path = `/api/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/rollbacks`;
    const to = str(values.to);
    const body = { ...(to !== undefined && { to }), ...(values.force === true && { force: true }) };
    return requestDeployment(client, path, body, { json: Boolean(values.json), wait: Boolean(values.wait) });
  },
};
