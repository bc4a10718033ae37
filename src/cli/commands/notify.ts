import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';
import { readSecretFile } from './secret-file.ts';

interface HookView {
  id: string;
  kind: string;
  target: string;
  createdBy: string;
  createdAt: string;
}

interface DeliveryView {
  target: string;
  url: string;
  subject: string;
  state: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  error: string | null;
  createdAt: string;
}

const usage = 'add PROJECT --kind json|slack --url URL --secret-file F | list PROJECT [--json] | rm PROJECT ID | deliveries PROJECT [--json]';

export const notifyCommand: Command = {
  name: 'notify',
  summary: 'outgoing webhooks (JSON or Slack-compatible) for run and deployment outcomes, and the delivery log',
  usage,
  help: `  add P               send run and deployment outcomes of project P to URL (maintainers)
  --kind K            json (the outcome as a JSON document) or slack ({"text": …}: Slack, Mattermost, Rocket.Chat)
  --url URL           where to POST (stored encrypted; only its origin is ever shown)
  --secret-file F     signing secret: each delivery has X-Slipway-Signature-256: sha256=<HMAC-SHA256 of the body>
  list P              the project's webhooks
  rm P ID             remove one
  deliveries P        what was sent out (commit statuses and notifications), newest first, with retries' outcome
${clientHelp}`,
  options: { ...clientOptions, kind: { type: 'string' }, url: { type: 'string' }, 'secret-file': { type: 'string' } },
  async run(values, [action, project, id]) {
    if (!project || (action === 'rm') !== Boolean(id)) throw new CliError(`usage: slipway notify ${usage}`, 2);
    const client = clientFor(values);
    const base = `/api/projects/${encodeURIComponent(project)}`;
    const json = Boolean(values.json);
    if (action === 'add') {
      const kind = str(values.kind);
      const url = str(values.url);
      const secretFile = str(values['secret-file']);
      if (!kind || !url || !secretFile) throw new CliError('notify add needs --kind, --url and --secret-file', 2);
      const hook = await client.json<HookView>('POST', `${base}/notifications`, { kind, url, secret: await readSecretFile(secretFile, '--secret-file') });
      console.log(json ? JSON.stringify(hook, null, 2) : `notification webhook ${hook.id} (${hook.kind}) added to ${project}: ${hook.target}`);
      return 0;
    }
    if (action === 'list') {
      const hooks = await client.json<HookView[]>('GET', `${base}/notifications`);
      printList(hooks, json, `no notification webhooks in ${project}`, ['ID', 'KIND', 'TARGET', 'ADDED BY', 'ADDED'], (h) => [h.id, h.kind, h.target, h.createdBy, ago(h.createdAt)]);
      return 0;
    }
    if (action === 'rm') {
      await client.json('DELETE', `${base}/notifications/${encodeURIComponent(id!)}`);
      console.log(`notification webhook ${id} removed from ${project}`);
      return 0;
    }
    if (action === 'deliveries') {
      const list = await client.json<DeliveryView[]>('GET', `${base}/deliveries`);
      printList(list, json, `nothing sent out for ${project} yet`, ['WHEN', 'TO', 'ABOUT', 'STATE', 'RESULT', 'TRIES', 'ERROR'], (d) => [
        ago(d.createdAt),
        d.target === 'status' ? 'status' : d.target,
        d.subject,
        d.state,
        d.status + (d.responseCode ? ` ${d.responseCode}` : ''),
        String(d.attempts),
        (d.error ?? '').slice(0, 60),
      ]);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use add, list, rm or deliveries`, 2);
  },
};
