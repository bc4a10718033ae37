// The grammar of a remote `uses:` (docs.github.com "Workflow syntax" § jobs.<job_id>.steps[*].uses
// and § jobs.<job_id>.uses): `owner/repo[/path]@ref` for an action, and
// `owner/repo/.github/workflows/file.yml@ref` for a reusable workflow. Pure: the runner, the
// planner and `slipway lint` all read `uses:` through this one parser.

export interface ActionRef {
  owner: string;
  repo: string;
  /** Path inside the repository ('' for its root). */
  path: string;
  /** Tag, branch or full commit SHA, as written. */
  ref: string;
}

/** GitHub's owner and repository names: letters, digits, `-`, `_`, `.`; never `.` or `..`. */
const namePart = /^[A-Za-z0-9_.-]{1,100}$/;

export const isFullSha = (ref: string): boolean => /^[0-9a-f]{40}$/.test(ref);

/** `owner/repo[/path]@ref` → its parts, or a reason it is not one. */
export function parseActionRef(uses: string): ActionRef | { problem: string } {
  const at = uses.lastIndexOf('@');
  if (at < 0) return { problem: `\`${uses}\` names no version; expected \`owner/repo[/path]@ref\` (a tag, branch or commit SHA)` };
  const ref = uses.slice(at + 1);
  const parts = uses.slice(0, at).split('/');
  const [owner, repo, ...rest] = parts;
  if (!owner || !repo || !namePart.test(owner) || !namePart.test(repo) || owner === '.' || owner === '..' || repo === '.' || repo === '..') {
    return { problem: `\`${uses}\` is not \`owner/repo[/path]@ref\`` };
  }
  if (!ref || /[\s~^:?*[\\]/.test(ref) || ref.includes('..') || ref.startsWith('-') || ref.startsWith('/')) {
    return { problem: `\`${uses}\` has an invalid ref \`${ref}\`; expected a tag, branch or commit SHA` };
  }
  if (rest.some((p) => p === '' || p === '.' || p === '..')) return { problem: `\`${uses}\` has an invalid path; expected \`owner/repo/dir@ref\` inside the repository` };
  return { owner, repo, path: rest.join('/'), ref };
}

/** Whether `uses` of a job (not a step) names a reusable workflow of another repository. */
export function isRemoteWorkflow(ref: ActionRef): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(ref.path);
}

/** `owner/repo@ref` (the repository and version, what a source resolves). */
export const repoAtRef = (a: ActionRef): string => `${a.owner}/${a.repo}@${a.ref}`;
