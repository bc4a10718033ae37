import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { requestDeployment, waitHelp } from './deployment-request.ts';

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'deploy an existing release to an environment',
  usage: 'PROJECT ENV (--release R | --commit SHA) [--force] [--wait] [--json]',
  help: `  --release R    a release id (see \`slipway releases\`)\n  --commit SHA   the release built from this commit\n  --force        admins: deploy although the release has not succeeded in the environment promote_from names (audited)\n${waitHelp}\n${clientHelp}`,
  options: { ...clientOptions, release: { type: 'string' }, commit: { type: 'string' }, wait: { type: 'boolean' }, force: { type: 'boolean' } },
  async run(values, [project, env]) {
    const release = str(values.release);
    const commit = str(values.commit);
    if (!project || !env || (release === undefined) === (commit === undefined)) throw new CliError('usage: slipway deploy PROJECT ENV (--release R | --commit SHA)', 2);
    const client = clientFor(values);
    const path = `/api/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/deployments`;
    const body = { ...(release !== undefined ? { release } : { commit }), ...(values.force && { force: true }) };
    return requestDeployment(client, path, body, { json: Boolean(values.json), wait: Boolean(values.wait) });
  },
};
