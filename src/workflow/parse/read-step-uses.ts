// `jobs.<id>.steps[*].uses` (docs.github.com "Workflow syntax" §jobs.<job_id>.steps[*].uses):
// `{owner}/{repo}[/{path}]@{ref}`, `./path/to/dir` in the workspace, or
// `docker://{image}`. A malformed reference is reported at its line here, not when the
// runner tries to fetch it. Slipway's own built-ins (`slipway/…`) may leave out the ref:
// they come with the server.
import { posix } from 'node:path';
import type { Reader } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';
import { readString } from './read-values.ts';

const name = /^[A-Za-z0-9_.-]+$/;

/** Why `uses` is not an action reference GitHub accepts, or undefined when it is one. */
export function stepUsesProblem(uses: string): string | undefined {
  if (uses.trim() === '') return 'expected an action, found an empty string';
  if (uses.includes('${{')) return 'expressions are not allowed in `uses`; the action is resolved before the step runs';
  if (uses.startsWith('docker://')) return uses.length > 'docker://'.length ? undefined : 'expected an image after `docker://`';
  if (uses.startsWith('$/')) return '`$/path` (an action of this repository at the running commit) is valid GitHub Actions syntax but not supported yet; check out the repository and use `./path`';
  if (uses.startsWith('./') || uses === '.') {
    if (uses.includes('@')) return 'a local action (`./path`) takes no `@ref`; it is read from the workspace';
    const normal = posix.normalize(uses);
    return normal === '..' || normal.startsWith('../') ? `\`${uses}\` points outside the workspace; expected a path inside it` : undefined;
  }
  if (uses.startsWith('/') || uses.startsWith('../')) return 'expected `owner/repo[/path]@ref`, `./path` or `docker://image`';
  const at = uses.lastIndexOf('@');
  const target = at < 0 ? uses : uses.slice(0, at);
  const [owner = '', repo = '', ...path] = target.split('/');
  if (!name.test(owner) || !name.test(repo)) return `expected \`owner/repo[/path]@ref\`; \`${target}\` has no ${!name.test(owner) ? 'owner' : 'repository'} name`;
  if (path.some((part) => part === '' || part === '..' || part === '.')) return `the path \`${path.join('/')}\` inside \`${owner}/${repo}\` is not a plain relative path`;
  if (at < 0) return owner.toLowerCase() === 'slipway' ? undefined : `missing \`@ref\`; expected \`${uses}@<tag, branch or commit SHA>\``;
  if (uses.slice(at + 1).trim() === '') return 'expected a tag, branch or commit SHA after `@`';
  return undefined;
}

export function readStepUses(r: Reader, node: YNode, path: string): string | undefined {
  const text = readString(r, node, path);
  if (text === undefined) return undefined;
  const problem = stepUsesProblem(text);
  if (problem) r.error(node, path, `invalid action \`${text}\`: ${problem}`);
  return text;
}
