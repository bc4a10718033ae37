import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str, clientFor } from '../command.ts';
import { ago, duration, printList, statusText } from '../output.ts';

export interface RunView {
  id: string;
  project: string;
  number: number;
  workflow: string;
  name: string;
  ref: string;
  sha: string;
  status: string;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  jobs: {
    id: string;
    key: string;
    name: string;
    status: string;
    /** The job's attempt: more than 1 after a crash or a lost runner made it run again. */
    attempt: number;
    interruptedAttempts: { attempt: number; reason: string }[];
    /** While queued with no online runner offering its labels: what it waits for. */
    waitingFor?: string | null;
    steps: { number: number; name: string; status: string }[];
  }[];
  /** The commit each remote `uses:` resolved to; `job` null for what the planner resolved (reusable workflows). */
  actions?: { uses: string; sha: string; source: string; job: string | null }[];
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list workflow runs',
  usage: '[PROJECT] [--limit N] [--json]',
  help: `  PROJECT        only this project's runs\n  --limit N      at most N runs (default 20)\n${clientHelp}`,
  options: { ...clientOptions, limit: { type: 'string' } },
  async run(values, [project]) {
    const client = clientFor(values);
    const q = new URLSearchParams({ limit: str(values.limit) ?? '20' });
    if (project) q.set('project', project);
    const runs = await client.json<RunView[]>('GET', `/api/runs?${q}`);
    printList(runs, Boolean(values.json), 'no runs yet: push a repository with a workflow to start one', ['RUN', 'WORKFLOW', 'REF', 'COMMIT', 'STATUS', 'DURATION', 'CREATED'], (r) => [
      `${r.project}#${r.number}`, r.name, r.ref.replace(/^refs\/(heads|tags)\//, ''), r.sha.slice(0, 7), statusText(r.status), duration(r.startedAt, r.finishedAt), ago(r.createdAt),
    ]);
    return 0;
  },
};
