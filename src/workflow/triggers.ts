// Does a push start this workflow? (docs.github.com "Workflow syntax" §on.push.<branches|
// tags|branches-ignore|tags-ignore> and §on.push.<paths|paths-ignore>.)
import { zeroSha } from '../core/types.ts';
import { matchesPatterns } from './filter-pattern.ts';
import type { RefFilter, Workflow } from './model.ts';

export interface PushTriggerEvent {
  /** Full ref, `refs/heads/main` or `refs/tags/v1`. */
  ref: string;
  /** Paths changed by the push; undefined when unknown (then path filters pass). */
  changedFiles?: string[];
  /** The push deleted the ref. */
  deleted?: boolean;
  /** New SHA; all zeros also means the ref was deleted (so a PushEvent can be passed as is). */
  after?: string;
}

export function matchPush(workflow: Workflow, event: PushTriggerEvent): boolean {
  const filter = workflow.on.push;
  if (!filter) return false;
  // A deleted ref has no commit to run on.
  if (event.deleted || event.after === zeroSha) return false;
  const hasBranchFilter = filter.branches !== undefined || filter.branchesIgnore !== undefined;
  const hasTagFilter = filter.tags !== undefined || filter.tagsIgnore !== undefined;

  if (event.ref.startsWith('refs/heads/')) {
    // docs: "If you define only tags/tags-ignore ..., the workflow won't run for events
    // affecting the undefined Git ref" — so tag filters alone exclude branches.
    if (hasTagFilter && !hasBranchFilter) return false;
    const branch = event.ref.slice('refs/heads/'.length);
    return selected(branch, filter.branches, filter.branchesIgnore) && pathsMatch(filter, event.changedFiles);
  }
  if (event.ref.startsWith('refs/tags/')) {
    if (hasBranchFilter && !hasTagFilter) return false;
    const tag = event.ref.slice('refs/tags/'.length);
    // docs: "Path filters are not evaluated for pushes of tags."
    return selected(tag, filter.tags, filter.tagsIgnore);
  }
  return false;
}

function selected(name: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include !== undefined && !matchesPatterns(name, include)) return false;
  if (ignore !== undefined && matchesPatterns(name, ignore)) return false;
  return true;
}

/**
 * `paths`: at least one changed file is selected. `paths-ignore`: at least one changed
 * file is not ignored (a push touching only ignored files does not run).
 */
function pathsMatch(filter: RefFilter, files: string[] | undefined): boolean {
  if (filter.paths === undefined && filter.pathsIgnore === undefined) return true;
  if (files === undefined) return true;
  return files.some((file) => selected(file, filter.paths, filter.pathsIgnore));
}
