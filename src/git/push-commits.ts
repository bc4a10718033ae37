// The commits a push brought, for the push event's payload (docs.github.com "Webhook events
// and payloads" §push: `commits` lists the pushed commits, oldest first, each with the files
// it added, removed and modified; `head_commit` is the ref's new commit). One `git log` for
// all of them: a push of a thousand commits costs one process, not two thousand.
import { runGit } from './git-exec.ts';
import { isZeroSha } from './repo-read.ts';

export interface PushedCommit {
  id: string;
  treeId: string;
  message: string;
  timestamp: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  added: string[];
  removed: string[];
  modified: string[];
}

/** GitHub lists at most this many commits in a push payload. */
export const maxPushCommits = 2048;

const fields = ['%H', '%T', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x1f');

/**
 * Commits in before..after, newest `maxPushCommits`, oldest first. A new ref (before all
 * zeros) brings the commits no other ref already had; `ref` is that ref (already updated).
 */
export async function pushCommits(repo: string, ref: string, before: string, after: string): Promise<PushedCommit[]> {
  if (isZeroSha(after)) return [];
  // HEAD is left out (`--glob`, not `--all`): in a bare repository it names the pushed branch itself.
  const range = isZeroSha(before) ? [after, '--not', `--exclude=${ref}`, '--glob=refs/*'] : [`${before}..${after}`];
  const r = await runGit(repo, ['-c', 'core.quotePath=false', 'log', '-z', '--reverse', `--max-count=${maxPushCommits}`, '--no-renames', '--name-status', `--format=%x1e${fields}%x1f`, ...range, '--']);
  // An unknown `before` (gone after a force-push) lists none: the payload keeps head_commit.
  return r.code === 0 ? parseLog(r.stdout.toString('utf8')) : [];
}

/** The one commit `sha` (head_commit when the push brought no new commit, e.g. a new branch at an old one). */
export async function commitAt(repo: string, sha: string): Promise<PushedCommit | undefined> {
  const r = await runGit(repo, ['-c', 'core.quotePath=false', 'log', '-z', '-1', '--no-renames', '--name-status', `--format=%x1e${fields}%x1f`, sha, '--']);
  return r.code === 0 ? parseLog(r.stdout.toString('utf8'))[0] : undefined;
}

function parseLog(out: string): PushedCommit[] {
  const commits: PushedCommit[] = [];
  for (const record of out.split('\x1e').slice(1)) {
    const parts = record.split('\x1f');
    const [id = '', treeId = '', an = '', ae = '', at = '', cn = '', ce = '', , message = ''] = parts;
    const commit: PushedCommit = { id, treeId, message: message.replace(/\n+$/, ''), timestamp: parts[7] ?? at, author: { name: an, email: ae }, committer: { name: cn, email: ce }, added: [], removed: [], modified: [] };
    // After the format: NUL, newline, then `<status> NUL <path> NUL` pairs (git-log(1) -z --name-status).
    const files = (parts.slice(9).join('\x1f')).replace(/^\0?\n?/, '').split('\0');
    for (let i = 0; i + 1 < files.length; i += 2) {
      const [status, path] = [files[i]!, files[i + 1]!];
      if (status === 'A') commit.added.push(path);
      else if (status === 'D') commit.removed.push(path);
      else if (status) commit.modified.push(path);
    }
    commits.push(commit);
  }
  return commits;
}
