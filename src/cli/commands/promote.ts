import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { requestDeployment, waitHelp } from './deployment-request.ts';

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'deploy the release serving one environment to another (no rebuild)',
  usage: 'PROJECT FROM TO [--wait] [--json]',
  help: `  FROM           the environment whose current release is promoted\n  TO             the environment that receives it (its promote_from must be FROM, if set)\n${waitHelp}\n${clientHelp}`,
  options: { ...clientOptions, wait: { type: 'boolean' } },
  async run(values, [project, from, to]) {
    if (!project || !from || !to) throw new CliError('usage: slipway promote PROJECT FROM TO', 2);
    const client = clientFor(values);
    const path = `/api/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(to)}/promotions`;
    return requestDeployment(client, path, { from }, { json: Boolean(values.json), wait: Boolean(values.wait) });
  },
};
