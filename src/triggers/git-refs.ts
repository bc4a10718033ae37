// Refs a trigger names, resolved in a project's repository: the default branch (HEAD) and
// `main` / `refs/heads/main` / `v1` → full ref and commit.
import type { GitHosting } from '../git/hosting.ts';
import { runGit } from '../git/git-exec.ts';
import { SlipwayError } from '../core/errors.ts';

interface ResolvedRef {
  ref: string;
  sha: string;
}

/** The default branch and its head commit; undefined for an empty repository. */
export async function defaultBranch(git: GitHosting, project: string): Promise<ResolvedRef | undefined> {
  if (!git.exists(project)) return undefined;
  const repo = git.repoPath(project);
  const head = (await runGit(repo, ['symbolic-ref', '-q', 'HEAD'])).stdout.toString('utf8').trim();
  if (!head) return undefined;
  const sha = await revParse(repo, head);
  return sha ? { ref: head, sha } : undefined;
}

/** A branch or tag (short or full name) → full ref and commit; NOT_FOUND naming it otherwise. */
export async function resolveRef(git: GitHosting, project: string, ref: string | undefined): Promise<ResolvedRef> {
  if (!git.exists(project)) throw new SlipwayError('PROJECT_UNKNOWN', `project ${project} has no repository yet: push to it first`);
  if (ref === undefined) {
    const d = await defaultBranch(git, project);
    if (!d) throw new SlipwayError('NOT_FOUND', `project ${project} has no default branch yet: push to it first`);
    return d;
  }
  // git-check-ref-format's rules, so revision syntax (`main~1`, `@{1}`) never passes for a ref.
  if (!/^[^\s~^:?*[\\]+$/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.endsWith('/') || ref.endsWith('.lock')) {
    throw new SlipwayError('BAD_REQUEST', `invalid ref ${JSON.stringify(ref)}: expected a branch or tag name`);
  }
  const repo = git.repoPath(project);
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const full of candidates) {
    const sha = await revParse(repo, full);
    if (sha) return { ref: full, sha };
  }
  throw new SlipwayError('NOT_FOUND', `ref ${JSON.stringify(ref)} not found in project ${project} (expected a branch or tag)`);
}

async function revParse(repo: string, ref: string): Promise<string | undefined> {
  // `--end-of-options` and a full ref name: the user's text is never read as an option or revision syntax.
  const r = await runGit(repo, ['rev-parse', '--verify', '-q', '--end-of-options', `${ref}^{commit}`]);
  const sha = r.stdout.toString('utf8').trim();
  return r.code === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
}
