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

const usage = '[list] [--json] | pause NAME | resume NAME | drain NAME | rm NAME | token create [--expires 1h] | token list | token revoke ID | revoke NAME';

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
  state: string;
  concurrency: number | null;
  version: string | null;
  lastSeenAt: string;
  jobs: { name: string; project: string | undefined; runNumber: number }[];
}

/** What `runners pause|resume|drain NAME` do and say. */
const steers: Record<string, string> = {
  pause: 'paused runner %s: it takes no new job (what it runs carries on)',
  resume: 'resumed runner %s: it takes jobs again',
  drain: 'draining runner %s: it finishes what it runs, takes nothing new, and a remote runner then exits',
};

/** online/offline by last contact, and what an admin set unless it is plain active. */
const status = (r: RunnerView) => `${r.online ? 'online' : 'offline'}${r.state === 'active' ? '' : `, ${r.state}`}`;

export const runnersCommand: Command = {
  name: 'runners',
  summary: 'runners: list them (online, labels, the jobs they run), pause, resume, drain or remove them (admins)',
  usage,
  help: `  Lists every runner that has asked for work: online while seen within a lease
  (leaseSeconds), paused or draining, the runs-on labels it offers, how many jobs it runs
  of how many at once, its version, and the jobs it runs now (project/run/job).
  pause NAME     give the runner no new job (what it runs carries on, heartbeating)
  resume NAME    let a paused or draining runner take jobs again
  drain NAME     finish what it runs, take nothing new; a remote runner then exits 0
  rm NAME        remove it: its credential revoked, the jobs it runs re-queued; it exits at its next call
  list           the same list (also with no action)
  token create   make a registration token for \`slipway runner register\` (shown once)
  --expires D    its lifetime, such as 90m, 12h or 7d (default 1h)
  token list     registration tokens: id, state, who made it, expiry
  token revoke ID  revoke a registration token
  revoke NAME    revoke a remote runner's credential: it can take and report nothing more
${clientHelp}`,
  options: { ...clientOptions, expires: { type: 'string' } },
  async run(values, [action, sub, arg]) {
    if (action === 'token') return token(values, sub, arg);
    if (action && action in steers) {
      if (!sub) throw new CliError(`usage: slipway runners ${usage}`, 2);
      await clientFor(values).json('POST', `/api/runners/${encodeURIComponent(sub)}/${action}`);
      console.log(steers[action]!.replace('%s', sub));
      return 0;
    }
    if (action === 'rm') {
      if (!sub) throw new CliError(`usage: slipway runners ${usage}`, 2);
      const { jobsRequeued } = await clientFor(values).json<{ jobsRequeued: number }>('DELETE', `/api/runners/${encodeURIComponent(sub)}`);
      console.log(`removed runner ${sub}: its credential is revoked${jobsRequeued ? `, ${jobsRequeued} job(s) it ran re-queued` : ''}; it stops at its next call`);
      return 0;
    }
    if (action === 'revoke') {
      if (!sub) throw new CliError(`usage: slipway runners ${usage}`, 2);
      await clientFor(values).json('DELETE', `/api/runners/${encodeURIComponent(sub)}/credential`);
      console.log(`revoked the credential of runner ${sub}`);
      return 0;
    }
    if (action !== undefined && action !== 'list') throw new CliError(`unknown action "${action}": use list, pause, resume, drain, rm, token or revoke`, 2);
    const runners = await clientFor(values).json<RunnerView[]>('GET', '/api/runners');
    printList(runners, Boolean(values.json), 'no runner has asked for work yet', ['RUNNER', 'STATUS', 'LABELS', 'LAST SEEN', 'JOBS AT ONCE', 'VERSION', 'RUNNING'], (r) => [
      r.name,
      status(r),
      r.labels.join(','),
      ago(r.lastSeenAt),
      `${r.jobs.length}/${r.concurrency ?? '?'}`,
      r.version ?? '-',
      r.jobs.map((j) => `${j.project}/${j.runNumber}/${j.name}`).join('; ') || '-',
    ]);
    return 0;
  },
};
