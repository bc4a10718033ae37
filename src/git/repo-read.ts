// Reading a bare repository at a commit: files, directory listings, push diffs, commit metadata.
// Plumbing commands only (cat-file, ls-tree, diff-tree), whose output does not depend on config.
import { posix } from 'node:path';
import { SlipwayError } from '../core/errors.ts';
import { gitOrThrow, runGit } from './git-exec.ts';

export interface CommitInfo {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
}

// A commit id or ref name; never an option (leading '-'), a range ('..'), or `rev:path` syntax.
const revPattern = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function checkRev(rev: string): string {
  if (!revPattern.test(rev)) throw new SlipwayError('BAD_REQUEST', `invalid revision ${JSON.stringify(rev)}`);
  return rev;
}

/** `a/b/`, `/a/b`, `./a//b` → `a/b`; the root is ''. Paths that climb out of the tree are rejected. */
function normalizeTreePath(path: string): string {
  if (path.includes('\0') || path.split('/').includes('..')) {
    throw new SlipwayError('BAD_REQUEST', `invalid path ${JSON.stringify(path)}`);
  }
  return posix.normalize(`/${path}`).replace(/^\/+|\/+$/g, '');
}

export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/** Contents of the file at `path` in commit `rev` (UTF-8), or undefined when there is no such file. */
export async function readFileAt(repo: string, rev: string, path: string): Promise<string | undefined> {
  const file = normalizeTreePath(path);
  if (file === '') return undefined;
  const result = await runGit(repo, ['cat-file', 'blob', `${checkRev(rev)}:${file}`]);
  return result.code === 0 ? result.stdout.toString('utf8') : undefined;
}

/**
 * Paths (from the repository root) of the regular files directly under `dir` in commit `rev`;
 * [] when the directory or commit is absent. Symlinks, submodules and subdirectories are left out.
 */
export async function listFilesAt(repo: string, rev: string, dir: string): Promise<string[]> {
  const base = normalizeTreePath(dir);
  const result = await runGit(repo, ['ls-tree', '-z', `${checkRev(rev)}:${base}`]);
  if (result.code !== 0) return [];
  const files: string[] = [];
  // Each entry: "<mode> SP <type> SP <object> TAB <name>" NUL (git-ls-tree(1) §OUTPUT FORMAT).
  for (const entry of result.stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type] = entry.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === '120000') continue;
    files.push(base === '' ? entry.slice(tab + 1) : `${base}/${entry.slice(tab + 1)}`);
  }
  return files;
}

/**
 * Files a push changed, for `paths:` filters. Two-tree diff of before..after, without rename
 * detection so a rename lists both the old and the new path. A deletion changes nothing; a new
 * ref (before all zeros) or a before commit that is gone counts every file in after as changed,
 * so path-filtered workflows run rather than being silently skipped.
 */
export async function changedFilesBetween(repo: string, before: string, after: string): Promise<string[]> {
  if (isZeroSha(after)) return [];
  if (!isZeroSha(before)) {
    const diff = await runGit(repo, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', checkRev(before), checkRev(after)]);
    if (diff.code === 0) return splitNul(diff.stdout);
  }
  return splitNul(await gitOrThrow(repo, ['ls-tree', '-r', '-z', '--name-only', checkRev(after)]));
}

/**
 * Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). False as
 * well when either commit is absent (a force-push can leave one unreachable and collected):
 * git-merge-base(1) --is-ancestor exits 0 for yes, 1 for no, other codes for errors.
 */
export async function isAncestorAt(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(repo, ['merge-base', '--is-ancestor', checkRev(ancestor), checkRev(descendant)]);
  return result.code === 0;
}

export async function commitInfoAt(repo: string, rev: string): Promise<CommitInfo> {
  const result = await runGit(repo, ['log', '-1', '--format=%H%x00%an%x00%ae%x00%B', checkRev(rev), '--']);
  if (result.code !== 0) throw new SlipwayError('NOT_FOUND', `commit ${rev} not found`);
  const [sha = '', authorName = '', authorEmail = '', ...message] = result.stdout.toString('utf8').split('\0');
  return { sha, authorName, authorEmail, message: message.join('\0').replace(/\n+$/, '') };
}

function splitNul(out: Buffer): string[] {
  return out.toString('utf8').split('\0').filter(Boolean);
}
