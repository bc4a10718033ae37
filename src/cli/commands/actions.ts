import { isAbsolute, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor, str } from '../command.ts';
import { CliError } from '../client.ts';

interface MirrorView {
  repository: string;
  created: boolean;
  refs: Record<string, string>;
}

interface ResolveView {
  uses: string;
  sha: string;
  source: string;
  cached: boolean;
}

const usage = 'mirror OWNER/REPO --from URL|PATH | resolve OWNER/REPO[/PATH]@REF [--project P]';

export const actionsCommand: Command = {
  name: 'actions',
  summary: 'remote actions: mirror an action repository into the instance, resolve a uses: ref',
  usage,
  help: `  mirror OWNER/REPO   copy every branch and tag of an action repository into the instance (admins),
                      so \`uses: OWNER/REPO@ref\` resolves offline; run it again to update the mirror
  --from URL|PATH     an http(s) clone URL, or a git repository's path on the server's machine
  resolve USES        the source and commit \`uses: OWNER/REPO[/PATH]@REF\` resolves to, with your rights
  --project P         the project whose workflow names it (its own code is always readable)
${clientHelp}`,
  options: { ...clientOptions, from: { type: 'string' }, project: { type: 'string' } },
  async run(values, [action, target, ...rest]) {
    if (!target || rest.length > 0) throw new CliError(`usage: slipway actions ${usage}`, 2);
    const client = clientFor(values);
    if (action === 'mirror') {
      const from = str(values.from);
      if (!from) throw new CliError('actions mirror needs --from URL|PATH', 2);
      // A path is the server's to read: made absolute here, so `--from ./action` means this directory.
      const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(from) || isAbsolute(from) ? from : resolve(from);
      const view = await client.json<MirrorView>('POST', '/api/actions/mirrors', { repository: target, from: source });
      if (values.json) console.log(JSON.stringify(view, null, 2));
      else {
        const refs = Object.keys(view.refs);
        const tags = refs.filter((r) => r.startsWith('refs/tags/')).length;
        console.log(`${view.created ? 'mirrored' : 'updated'} ${view.repository} from ${source}: ${refs.length - tags} branch(es), ${tags} tag(s)`);
      }
      return 0;
    }
    if (action === 'resolve') {
      const project = str(values.project);
      const view = await client.json<ResolveView>('POST', '/api/actions/resolve', { uses: target, ...(project && { project }) });
      if (values.json) console.log(JSON.stringify(view, null, 2));
      else console.log(`${view.uses} → ${view.sha} (source ${view.source}${view.cached ? ', cached' : ''})`);
      return 0;
    }
    throw new CliError(`unknown action "${action}": use mirror or resolve`, 2);
  },
};
