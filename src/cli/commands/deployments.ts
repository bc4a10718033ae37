import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str } from '../command.ts';
import { Client } from '../client.ts';
import { ago, duration, statusText, table } from '../output.ts';

interface DeploymentView {
  id: string;
  project: string;
  number: number;
  environment: string;
  status: string;
  error: string | null;
  trigger: string;
  release?: { id: string; sha: string; image: string; digest: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const deploymentsCommand: Command = {
  name: 'deployments',
  summary: 'list deployments of a project',
  usage: '[PROJECT] [--env ENV] [--json]',
  help: `  PROJECT        only this project's deployments\n  --env ENV      only this environment\n${clientHelp}`,
  options: { ...clientOptions, env: { type: 'string' } },
  async run(values, [project]) {
    const client = new Client({ server: str(values.server), data: str(values.data) });
    const q = new URLSearchParams();
    if (project) q.set('project', project);
    if (str(values.env)) q.set('env', str(values.env)!);
    const list = await client.json<DeploymentView[]>('GET', `/api/deployments?${q}`);
    if (values.json) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) {
      console.log('no deployments yet');
      return 0;
    }
    console.log(
      table(
        ['DEPLOYMENT', 'ENV', 'COMMIT', 'TRIGGER', 'STATUS', 'DURATION', 'CREATED', 'ERROR'],
        list.map((d) => [`${d.project}#${d.number}`, d.environment, d.release?.sha.slice(0, 7) ?? '', d.trigger, statusText(d.status), duration(d.startedAt, d.finishedAt), ago(d.createdAt), (d.error ?? '').split('\n')[0]!.slice(0, 60)]),
      ),
    );
    return 0;
  },
};
