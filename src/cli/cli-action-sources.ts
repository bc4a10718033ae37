// The action sources a command on this machine resolves remote `uses:` through (`slipway
// lint`, `slipway run`): the data dir's mirrors, cache and projects (SLIPWAY_DATA, the same
// layout `slipway up` keeps), then the sources its config.yml lists (default
// https://github.com). Everything there is readable to whoever runs the command.
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { ActionSources } from '../git/actions/action-sources.ts';
import { isBareRepo } from '../git/repo-admin.ts';
import { isValidName } from '../core/ids.ts';

export function localActionSources(dir: string, env: NodeJS.ProcessEnv = process.env): ActionSources {
  const config = loadConfig({ dataDir: dir, env });
  return new ActionSources({
    sources: config.actions.sources.map((s) => (s === 'instance' ? { name: 'instance' } : s)),
    dir: join(dir, 'actions'),
    projectsOwner: config.actions.projectsOwner,
    projectRepo: (p) => {
      const repo = join(dir, 'git', `${p}.git`);
      return isValidName(p) && isBareRepo(repo) ? repo : undefined;
    },
    timeoutMs: config.actions.fetchTimeoutSeconds * 1000,
  });
}
