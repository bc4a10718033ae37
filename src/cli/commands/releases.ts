import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

interface ReleaseView {
  id: string;
  sha: string;
  ref: string;
  image: string;
  digest: string;
  createdAt: string;
}

export const releasesCommand: Command = {
  name: 'releases',
  summary: "list a project's releases and where they run",
  usage: 'PROJECT [--json]',
  help: clientHelp,
  options: clientOptions,
  async run(values, [project]) {
    if (!project) throw new CliError('usage: slipway releases PROJECT', 2);
    const client = clientFor(values);
    const q = `project=${encodeURIComponent(project)}`;
    const [releases, environments] = await Promise.all([
      client.json<ReleaseView[]>('GET', `/api/releases?${q}`),
      client.json<{ environment: string; release: string }[]>('GET', `/api/environments?${q}`),
    ]);
    const list = releases.map((r) => ({ ...r, environments: environments.filter((e) => e.release === r.id).map((e) => e.environment).sort() }));
    printList(list, Boolean(values.json), `no releases of ${project} yet: a run with a slipway/build-image step makes one`, ['RELEASE', 'COMMIT', 'IMAGE', 'CREATED', 'RUNS IN'], (r) => [
      r.id, r.sha.slice(0, 7), `${r.image}@${r.digest.slice(0, 19)}`, ago(r.createdAt), r.environments.join(', '),
    ]);
    return 0;
  },
};
