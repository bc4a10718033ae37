// `slipway actions mirror owner/repo --from URL|PATH`: copies every branch and tag of an
// action's repository into the instance (ActionSources.mirrorPath), so `uses: owner/repo@ref`
// resolves with no network. Running it again updates the mirror (refs that went away
// upstream go here too: `--prune`). Mirrors are read-only: nothing serves them for pushes.
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { SlipwayError } from '../../core/errors.ts';
import { run } from '../../exec/run.ts';
import { gitConfigEnv, httpOnly } from '../config-env.ts';
import { gitEnv, runGit } from '../git-exec.ts';
import { isBareRepo, readAllRefs } from '../repo-admin.ts';
import type { ActionSources } from './action-sources.ts';

const mirrorTimeoutMs = 10 * 60_000;

/** Why `from` cannot be mirrored from: an http(s) URL without credentials, or an absolute path to a git repository. */
export function mirrorFromProblem(from: string): string | undefined {
  if (isAbsolute(from)) {
    if (!existsSync(from) || !statSync(from).isDirectory()) return `${from} is not a directory`;
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(from);
  } catch {
    return `expected an http(s) URL or an absolute path, found ${JSON.stringify(from)}`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `only http(s) URLs and absolute paths are mirrored, not ${u.protocol}`;
  if (u.username || u.password) return 'the URL carries credentials; mirror a public URL or a local copy';
  return undefined;
}

export interface MirrorResult {
  /** Every branch and tag the mirror now holds, with its commit. */
  refs: Record<string, string>;
  created: boolean;
}

export async function mirrorAction(sources: ActionSources, owner: string, repo: string, from: string): Promise<MirrorResult> {
  const problem = mirrorFromProblem(from);
  if (problem) throw new SlipwayError('BAD_REQUEST', `actions mirror ${owner}/${repo}: ${problem}`);
  const path = sources.mirrorPath(owner, repo);
  const created = !isBareRepo(path);
  if (created) {
    await mkdir(dirname(path), { recursive: true });
    const init = await run(['git', 'init', '--quiet', '--bare', path], { env: gitEnv() });
    if (init.exitCode !== 0) throw new SlipwayError('INTERNAL', `git init ${path}: ${init.stderr.trim()}`);
  }
  // A local path is read with git's file transport (only here: an admin names it, see docs/security.md).
  const protocol: Record<string, string> = isAbsolute(from) ? { 'protocol.allow': 'never', 'protocol.file.allow': 'always' } : httpOnly;
  const fetched = await run(['git', `--git-dir=${path}`, 'fetch', '--quiet', '--prune', '--force', '--', from, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], { env: gitEnv(gitConfigEnv(protocol)), timeoutMs: mirrorTimeoutMs });
  if (fetched.exitCode !== 0) throw new SlipwayError('BAD_REQUEST', `actions mirror ${owner}/${repo}: git fetch ${from} failed: ${fetched.stderr.trim().split('\n').at(-1) ?? ''}`);
  const refs = Object.fromEntries(await readAllRefs(path));
  // HEAD of a bare mirror names the first branch it holds, so `git clone` of it checks something out.
  const branch = Object.keys(refs).find((r) => r === 'refs/heads/main') ?? Object.keys(refs).find((r) => r.startsWith('refs/heads/'));
  if (branch) await runGit(path, ['symbolic-ref', 'HEAD', branch]);
  return { refs, created };
}
