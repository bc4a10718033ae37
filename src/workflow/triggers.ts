// Does a push start this workflow? (docs.github.com "Workflow syntax" §on.push.<branches|
// tags|branches-ignore|tags-ignore> and §on.push.<paths|paths-ignore>.)
import { zeroSha } from '../core/types.ts';
import { cronMatches, parseCron } from './cron.ts';
import { matchesPatterns } from './glob.ts';
import type { InputSpec, RefFilter, Workflow } from './model.ts';
import { hint } from './yaml/suggest.ts';

interface PushTriggerEvent {
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

/** `workflow_dispatch` (docs §on.workflow_dispatch): the workflow must declare the event. */
export function matchesDispatch(workflow: Workflow): boolean {
  return workflow.on.workflowDispatch !== undefined;
}

/** `repository_dispatch` with `types`: the event type must be listed; no types means every type. */
export function matchRepositoryDispatch(workflow: Workflow, eventType: string): boolean {
  const spec = workflow.on.repositoryDispatch;
  if (!spec) return false;
  return spec.types.length === 0 || spec.types.includes(eventType);
}

/** The crons of `on.schedule` that fire in the minute containing `at` (UTC); empty when none. */
export function matchSchedule(workflow: Workflow, at: Date): string[] {
  return (workflow.on.schedule ?? []).filter((s) => cronMatches(parseCron(s.cron), at)).map((s) => s.cron);
}

/**
 * Dispatch inputs as GitHub types them (docs §on.workflow_dispatch.inputs): given values
 * (from the API or CLI, often strings) are coerced to the input's type — `'true'`/`'false'`
 * to booleans, numeric text to numbers —, defaults fill what is missing, required inputs
 * must be present, a `choice` must be one of its options and unknown names are errors.
 * Unset optional inputs get GitHub's empty values ('' or false). `inputs` is set only
 * when there are no errors.
 */
export function resolveInputs(
  specs: Record<string, InputSpec>,
  given: Record<string, unknown>,
): { inputs?: Record<string, unknown>; errors: string[] } {
  const errors: string[] = [];
  const names = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (specs[name]) continue;
    errors.push(`unknown input \`${name}\`; ${hint(name, names, 'the workflow declares no inputs')}`);
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = given[name] !== undefined && given[name] !== null ? given[name] : spec.default;
    if (raw === undefined) {
      if (spec.required) errors.push(`missing required input \`${name}\``);
      else if (spec.type === 'boolean') inputs[name] = false;
      else if (spec.type !== 'number') inputs[name] = '';
      continue;
    }
    const typed = coerce(name, spec, raw);
    if (typeof typed === 'object') errors.push(typed.error);
    else inputs[name] = typed;
  }
  return errors.length > 0 ? { errors } : { inputs, errors };
}

function coerce(name: string, spec: InputSpec, value: unknown): string | number | boolean | { error: string } {
  const shown = typeof value === 'string' ? `\`${value}\`` : JSON.stringify(value);
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return { error: `input \`${name}\`: expected true or false, found ${shown}` };
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (Number.isFinite(n)) return n;
      return { error: `input \`${name}\`: expected a number, found ${shown}` };
    }
    default: {
      if (typeof value === 'object' || typeof value === 'function') return { error: `input \`${name}\`: expected a string, found ${shown}` };
      const text = String(value);
      if (spec.type === 'choice' && spec.options && !spec.options.includes(text)) {
        return { error: `input \`${name}\`: \`${text}\` is not one of the options; ${hint(text, spec.options)}` };
      }
      return text;
    }
  }
}
