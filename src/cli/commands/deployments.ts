import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { ago, duration, paint, printList, statusText } from '../output.ts';

/** A deployment as the API shows it (src/server/deployment-view.ts). */
export interface DeploymentView {
  id: string;
  project: string;
  number: number;
  environment: string;
  status: string;
  error: string | null;
  trigger: string;
  release?: { id: string; sha: string; image: string; digest: string };
  /** Status `superseded`: the newer release that made this automatic deployment unnecessary. */
  supersededBy: { id: string; sha: string } | null;
  /** While queued: who holds the environment's lock; always null in lists. */
  lock: { holder: string; deployment: { id: string; number: number | null } } | null;
  /** Approvals and rejections, oldest first. */
  approvals: { user: string; decision: 'approve' | 'reject'; reason: string | null; at: string }[];
  /** The environment's gate (deploy.yml `approval:`); null when it has none. */
  approval: { required: number; approved: number; waitUntil: string | null } | null;
  /** Each host's outcome, in deploy.yml order. */
  hosts: { host: string; status: string; error: string | null }[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** "2/3 ok, 1 rolled back": the hosts' statuses, counted (one host: nothing to add to STATUS). */
function hostsSummary(hosts: DeploymentView['hosts']): string {
  if (hosts.length <= 1) return hosts[0]?.host ?? '';
  const counts = new Map<string, number>();
  for (const h of hosts) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  const ok = counts.get('success') ?? 0;
  counts.delete('success');
  return [`${ok}/${hosts.length} ok`, ...[...counts].map(([status, n]) => `${n} ${status.replace('_', ' ')}`)].join(', ');
}

/** A deployment's status for people: "waiting for approval (1/2, 4m0s left)", "rejected", "superseded by 9f2c1ab", … */
export function deploymentStatus(d: Pick<DeploymentView, 'status' | 'approval' | 'supersededBy'>): string {
  if (d.status === 'rejected') return paint('red', 'rejected');
  if (d.status === 'superseded') return paint('gray', d.supersededBy ? `superseded by ${d.supersededBy.sha.slice(0, 7)}` : 'superseded');
  if (d.status !== 'waiting_for_approval') return statusText(d.status);
  const parts: string[] = [];
  if (d.approval && d.approval.required > 0) parts.push(`${d.approval.approved}/${d.approval.required}`);
  if (d.approval?.waitUntil && Date.parse(d.approval.waitUntil) > Date.now()) parts.push(`${duration(new Date().toISOString(), d.approval.waitUntil)} left`);
  const what = d.approval && d.approval.required === 0 ? 'waiting (timer)' : 'waiting for approval';
  return paint('yellow', parts.length > 0 ? `${what} (${parts.join(', ')})` : what);
}

export const deploymentsCommand: Command = {
  name: 'deployments',
  summary: 'list deployments of a project',
  usage: '[PROJECT] [--env ENV] [--json]',
  help: `  PROJECT        only this project's deployments\n  --env ENV      only this environment\n${clientHelp}`,
  options: { ...clientOptions, env: { type: 'string' } },
  async run(values, [project]) {
    const client = clientFor(values);
    const q = new URLSearchParams();
    if (project) q.set('project', project);
    if (str(values.env)) q.set('env', str(values.env)!);
    const list = await client.json<DeploymentView[]>('GET', `/api/deployments?${q}`);
    printList(list, Boolean(values.json), 'no deployments yet', ['DEPLOYMENT', 'ENV', 'COMMIT', 'TRIGGER', 'STATUS', 'HOSTS', 'DURATION', 'CREATED', 'ERROR'], (d) => [
      `${d.project}#${d.number}`, d.environment, d.release?.sha.slice(0, 7) ?? '', d.trigger, deploymentStatus(d), hostsSummary(d.hosts ?? []), duration(d.startedAt, d.finishedAt), ago(d.createdAt), (d.error ?? '').split('\n')[0]!.slice(0, 60),
    ]);
    return 0;
  },
};
