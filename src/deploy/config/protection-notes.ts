// The note a push gets when its deploy.yml changes an environment's protection on a branch
// other than the default one: the change does nothing until it is on the default branch
// (protected-rules.ts), and the person who pushed it should know that rather than wonder.
import type { DeployConfig } from './deploy-config.ts';
import { deployConfigFile } from './deploy-config.ts';
import { blockOf } from './rules-block.ts';

/**
 * One line per environment whose block in `pushed` differs from `onDefault` (added, changed
 * or removed), and one when the secret names differ. `serverRuled`: environments whose rules
 * the server holds, which take precedence over the file even on the default branch.
 */
export function protectionNotes(pushed: DeployConfig, onDefault: DeployConfig | undefined, branch: string, defaultBranch: string, serverRuled: ReadonlySet<string>): string[] {
  const notes: string[] = [];
  const tail = `protection rules take effect only once on the default branch ${defaultBranch}`;
  const blocks = (c: DeployConfig | undefined) => new Map((c?.environments ?? []).map((e) => [e.name, JSON.stringify(blockOf(e, []))]));
  const mine = blocks(pushed);
  const theirs = blocks(onDefault);
  for (const name of new Set([...theirs.keys(), ...mine.keys()])) {
    if (mine.get(name) === theirs.get(name)) continue;
    const server = serverRuled.has(name) ? `; the server's rules for ${name} take precedence over the file` : '';
    notes.push(`${deployConfigFile}: environment ${name} changed on branch ${branch}; ${tail}${server}`);
  }
  const secrets = (c: DeployConfig | undefined) => JSON.stringify([...(c?.env.secret ?? [])].sort());
  if (secrets(pushed) !== secrets(onDefault)) notes.push(`${deployConfigFile}: env.secret changed on branch ${branch}; ${tail}`);
  return notes;
}
