import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { requestDeployment, waitHelp } from './deployment-request.ts';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 're-deploy the previous (or a named) release of an environment',
  usage: 'PROJECT ENV [--to RELEASE] [--wait] [--json]',
  help: `  --to RELEASE   a release id or commit (default: the last successful release before the current one)\n${waitHelp}\n${clientHelp}`,
  options: { ...clientOptions, to: { type: 'string' }, wait: { type: 'boolean' } },
  async run(values, [project, env]) {
    if (!project || !env) throw new CliError('usage: slipway rollback PROJECT ENV [--to RELEASE]', 2);
    const client = clientFor(values);
    const path = `/api/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/rollbacks`;
    const to = str(values.to);
    return requestDeployment(client, path, to === undefined ? {} : { to }, { json: Boolean(values.json), wait: Boolean(values.wait) });
  },
};
