import type { Command, Values } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

interface RegistrationTokenView {
  id: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  state: string;
}

const usage = '[--json] | token create [--expires 1h] | token list | token revoke ID | revoke NAME';

/** `slipway runners token create|list|revoke`: registration tokens (admins). */
async function token(values: Values, action: string | undefined, id: string | undefined): Promise<number> {
  const client = clientFor(values);
  if (action === 'create') {
    const expiresIn = str(values.expires);
    const created = await client.json<RegistrationTokenView & { token: string }>('POST', '/api/runners/registration-tokens', expiresIn ? { expiresIn } : {});
    if (values.json) console.log(JSON.stringify(created, null, 2));
    else console.log(`registration token ${created.id} (expires ${created.expiresAt}); shown only now:\n${created.token}\non the runner's machine: slipway runner register --server ${client.url} --token ${created.token}`);
    return 0;
  }
  if (action === 'list') {
    const list = await client.json<RegistrationTokenView[]>('GET', '/api/runners/registration-tokens');
    printList(list, Boolean(values.json), 'no registration tokens', ['ID', 'STATE', 'CREATED BY', 'EXPIRES'], (t) => [t.id, t.state, t.createdBy, t.expiresAt ?? 'never']);
    return 0;
  }
  if (action === 'revoke' && id) {
    await client.json('DELETE', `/api/runners/registration-tokens/${encodeURIComponent(id)}`);
    console.log(`revoked registration token ${id}`);
    return 0;
  }
  throw new CliError(`usage: slipway runners ${usage}`, 2);
}

interface RunnerView {
  name: string;
  online: boolean;
  labels: string[];
  lastSeenAt: string;
  jobs: { name: string; project: string | undefined; runNumber: number }[];
}

export const runnersCommand: Command = {
  name: 'runners',
  summary: 'runners: online, labels, the jobs they run now (admins)',
  usage,
  help: `  Lists every runner that has asked for work: online while seen within a lease
  (leaseSeconds), the runs-on labels it offers, and the jobs it runs now.
  token create   make a registration token for \`slipway runner register\` (shown once)
  --expires D    its lifetime, such as 90m, 12h or 7d (default 1h)
  token list     registration tokens: id, state, who made it, expiry
  token revoke ID  revoke a registration token
  revoke NAME    revoke a remote runner's credential: it can take and report nothing more
${clientHelp}`,
  options: { ...clientOptions, expires: { type: 'string' } },
  async run(values, [action, sub, arg]) {
    if (action === 'token') return token(values, sub, arg);
    if (action === 'revoke') {
      if (!sub) throw new CliError(`usage: slipway runners ${usage}`, 2);
      await clientFor(values).json('DELETE', `/api/runners/${encodeURIComponent(sub)}/credential`);
      console.log(`revoked the credential of runner ${sub}`);
      return 0;
    }
    if (action !== undefined) throw new CliError(`unknown action "${action}": use token or revoke, or none to list`, 2);
    const runners = await clientFor(values).json<RunnerView[]>('GET', '/api/runners');
    printList(runners, Boolean(values.json), 'no runner has asked for work yet', ['RUNNER', 'STATUS', 'LABELS', 'LAST SEEN', 'RUNNING'], (r) => [
      r.name,
      r.online ? 'online' : 'offline',
      r.labels.join(','),
      ago(r.lastSeenAt),
      r.jobs.map((j) => `${j.project}#${j.runNumber} ${j.name}`).join('; ') || '-',
    ]);
    return 0;
  },
};
