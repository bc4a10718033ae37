import type { Command } from '../command.ts';
import { clientHelp, clientOptions, str } from '../command.ts';
import { Client, CliError } from '../client.ts';
import { ago, table } from '../output.ts';

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
    const client = new Client({ server: str(values.server), data: str(values.data) });
    const q = `project=${encodeURIComponent(project)}`;
    const [releases, environments] = await Promise.all([
      client.json<ReleaseView[]>('GET', `/api/releases?${q}`),
      client.json<{ environment: string; release: string }[]>('GET', `/api/environments?${q}`),
    ]);
    const list = releases.map((r) => ({ ...r, environments: environments.filter((e) => e.release === r.id).map((e) => e.environment).sort() }));
    if (values.json) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) {
      console.log(`no releases of ${project} yet: a run with a slipway/build-image step makes one`);
      return 0;
    }
    console.log(table(['RELEASE', 'COMMIT', 'IMAGE', 'CREATED', 'RUNS IN'], list.map((r) => [r.id, r.sha.slice(0, 7), `${r.image}@${r.digest.slice(0, 19)}`, ago(r.createdAt), r.environments.join(', ')])));
    return 0;
  },
};
