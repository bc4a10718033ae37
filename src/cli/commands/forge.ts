import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { readSecretFile } from './secret-file.ts';

interface ForgeView {
  project: string;
  kind: string;
  url: string;
  apiUrl: string | null;
  hasToken: boolean;
  webhookPath: string;
  updatedBy: string;
}

const usage = 'set PROJECT --kind github|gitlab|gitea --url CLONE_URL --secret-file F [--token-file F] [--api-url URL] | show PROJECT [--json] | rm PROJECT';

export const forgeCommand: Command = {
  name: 'forge',
  summary: 'mirror a project from GitHub, GitLab or Gitea/Forgejo: webhooks in, commit statuses back',
  usage,
  help: `  set P               link project P to the forge repository it mirrors (maintainers); prints the
                      webhook URL to give the forge (content type application/json, push and tag events)
  --kind K            github, gitlab or gitea (Forgejo too)
  --url URL           the repository's http(s) clone URL (no credentials in it)
  --secret-file F     the webhook secret (F, or - for stdin); GitHub/Gitea sign with it, GitLab sends it as token
  --token-file F      an API token: commit statuses for runs and deployments, and clones of a private repository
  --api-url URL       the forge's API base when it cannot be told from the clone URL (a GitLab under a path)
  show P              the link (never its secret or token)
  rm P                remove the link
${clientHelp}`,
  options: { ...clientOptions, kind: { type: 'string' }, url: { type: 'string' }, 'secret-file': { type: 'string' }, 'token-file': { type: 'string' }, 'api-url': { type: 'string' } },
  async run(values, [action, project, ...rest]) {
    if (!project || rest.length > 0) throw new CliError(`usage: slipway forge ${usage}`, 2);
    const client = clientFor(values);
    const base = `/api/projects/${encodeURIComponent(project)}/forge`;
    if (action === 'set') {
      const kind = str(values.kind);
      const url = str(values.url);
      const secretFile = str(values['secret-file']);
      if (!kind || !url || !secretFile) throw new CliError('forge set needs --kind, --url and --secret-file', 2);
      const tokenFile = str(values['token-file']);
      const body = { kind, url, secret: await readSecretFile(secretFile, '--secret-file'), ...(tokenFile && { token: await readSecretFile(tokenFile, '--token-file') }), ...(str(values['api-url']) && { apiUrl: str(values['api-url']) }) };
      const view = await client.json<ForgeView>('PUT', base, body);
      if (values.json) console.log(JSON.stringify(view, null, 2));
      else console.log(`project ${project} mirrors ${view.url} (${view.kind}); webhook URL: ${client.url}${view.webhookPath}${view.hasToken ? '; commit statuses on' : '; no token: no commit statuses'}`);
      return 0;
    }
    if (action === 'show') {
      const view = await client.json<ForgeView>('GET', base);
      if (values.json) console.log(JSON.stringify(view, null, 2));
      else console.log(`project ${project}: ${view.kind} ${view.url}\n  webhook URL: ${client.url}${view.webhookPath}\n  statuses: ${view.hasToken ? 'on (token set)' : 'off (no token)'}${view.apiUrl ? `\n  API: ${view.apiUrl}` : ''}\n  set by ${view.updatedBy}`);
      return 0;
    }
    if (action === 'rm') {
      await client.json('DELETE', base);
      console.log(`project ${project} no longer mirrors a forge`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use set, show or rm`, 2);
  },
};
