import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { ago, printList } from '../output.ts';

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
  usage: '[--json]',
  help: `  Lists every runner that has asked for work: online while seen within a lease
  (leaseSeconds), the runs-on labels it offers, and the jobs it runs now.
${clientHelp}`,
  options: clientOptions,
  async run(values) {
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
