// `on:` — a single event name, a list of them, or a mapping of events to their settings
// (docs.github.com "Workflow syntax" §on). `push`, `workflow_dispatch`, `schedule`,
// `workflow_call` and `repository_dispatch` are read; the settings of other GitHub events
// are checked (keys, activity types, filter patterns) and the events never fire.
import { isSlipwayError } from '../../core/errors.ts';
import { parseCron } from '../cron.ts';
import type { InputSpec, RefFilter, Triggers } from '../model.ts';
import { filterPatternProblem } from '../glob.ts';
import { githubEvents, githubEventSettings } from './github-events.ts';
import { readInputs, readWorkflowCall } from './parse-inputs.ts';
import { hint, suggest } from '../yaml/suggest.ts';
import type { MapNode, Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, child, describe, getPair, isNull, readMap, readScalarText } from '../yaml/reader.ts';
import { readStringList } from './read-values.ts';
import type { Position, YNode } from '../yaml/node.ts';

const pushKeys = ['branches', 'branches-ignore', 'tags', 'tags-ignore', 'paths', 'paths-ignore'] as const;

const filterFields: Record<(typeof pushKeys)[number], keyof RefFilter> = {
  branches: 'branches',
  'branches-ignore': 'branchesIgnore',
  tags: 'tags',
  'tags-ignore': 'tagsIgnore',
  paths: 'paths',
  'paths-ignore': 'pathsIgnore',
};

export function readOn(r: Reader, node: YNode): Triggers {
  const triggers: Triggers = {};
  const path = 'on';
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    addEvent(r, triggers, node.value, node, path);
  } else if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      if (item.kind === 'scalar' && typeof item.value === 'string') addEvent(r, triggers, item.value, item, child(path, i));
      else r.error(item, child(path, i), `expected an event name, found ${describe(item)}`);
    });
  } else if (node.kind === 'map') {
    for (const pair of node.pairs) {
      if (!addEvent(r, triggers, pair.key, pair.keyPos, child(path, pair.key), false)) continue;
      const p = child(path, pair.key);
      if (pair.key === 'push') triggers.push = readPush(r, pair.value, p);
      if (pair.key === 'workflow_dispatch') triggers.workflowDispatch = { inputs: readDispatch(r, pair.value, p) };
      if (pair.key === 'schedule') triggers.schedule = readSchedule(r, pair.value, p);
      if (pair.key === 'workflow_call') triggers.workflowCall = readWorkflowCall(r, pair.value, p);
      if (pair.key === 'repository_dispatch') triggers.repositoryDispatch = readRepositoryDispatch(r, pair.value, p);
      if (!readHere.includes(pair.key)) checkEventSettings(r, pair.key, pair.value, p);
    }
  } else {
    r.error(node, path, `expected an event name, a list of event names or a mapping of events, found ${describe(node)}`);
  }
  return triggers;
}

const readHere = ['push', 'workflow_dispatch', 'schedule', 'workflow_call', 'repository_dispatch'];

/** The settings of an event Slipway does not act on, checked as GitHub checks them. */
function checkEventSettings(r: Reader, event: string, node: YNode, path: string): void {
  if (isNull(node)) return;
  const settings = githubEventSettings[event] ?? {};
  const map = readMap(r, node, path, settings.keys ? `nothing or a mapping with ${settings.keys.map((k) => `\`${k}\``).join(', ')}` : 'nothing (this event takes no settings)');
  if (!map) return;
  if (!settings.keys) {
    for (const pair of map.pairs) r.error(pair.keyPos, child(path, pair.key), `unknown key \`${pair.key}\`; \`${event}\` takes no settings`);
    return;
  }
  checkKeys(r, map, path, settings.keys);
  for (const pair of map.pairs) {
    if (!settings.keys.includes(pair.key)) continue;
    const p = child(path, pair.key);
    const values = readStringList(r, pair.value, p);
    if (pair.key === 'types' && settings.types) {
      for (const t of values) {
        if (!settings.types.includes(t.value)) r.error(t.node, p, `unknown activity type \`${t.value}\` of \`${event}\`; ${hint(t.value, settings.types)}`);
      }
    }
    if ((pushKeys as readonly string[]).includes(pair.key)) for (const v of values) checkPattern(r, v.value, v.node, p);
  }
  for (const [include, exclude] of [['branches', 'branches-ignore'], ['paths', 'paths-ignore']] as const) bothSet(r, map, path, include, exclude);
}

function addEvent(r: Reader, triggers: Triggers, name: string, at: Position, path: string, bare = true): boolean {
  if (!githubEvents.includes(name)) {
    const guess = suggest(name, githubEvents);
    r.error(at, path, `unknown event \`${name}\`; ${guess ? `did you mean \`${guess}\`?` : 'expected a GitHub event name such as push'}`);
    return false;
  }
  if (name === 'push') triggers.push ??= {};
  if (name === 'workflow_dispatch') triggers.workflowDispatch = { inputs: {} };
  if (name === 'workflow_call') triggers.workflowCall = { inputs: {}, secrets: {}, outputs: {} };
  if (name === 'repository_dispatch') triggers.repositoryDispatch = { types: [] };
  // A bare `schedule` has no cron to run on; the mapping form (read after this) sets one.
  if (name === 'schedule' && bare) r.error(at, path, 'expected `schedule:` with a list of `- cron: ...` entries, found the bare event name');
  return true;
}

function readPush(r: Reader, node: YNode, path: string): RefFilter {
  const filter: RefFilter = {};
  if (isNull(node)) return filter;
  const map = readMap(r, node, path);
  if (!map) return filter;
  checkKeys(r, map, path, pushKeys);
  for (const key of pushKeys) {
    const pair = getPair(map, key);
    if (!pair) continue;
    const patterns = readStringList(r, pair.value, child(path, key));
    for (const p of patterns) checkPattern(r, p.value, p.node, child(path, key));
    filter[filterFields[key]] = patterns.map((p) => p.value);
  }
  // docs: "You cannot use both the branches and branches-ignore filter for the same event"
  // (same for tags and paths); use `!` patterns instead.
  for (const [include, exclude] of [['branches', 'branches-ignore'], ['tags', 'tags-ignore'], ['paths', 'paths-ignore']]) {
    bothSet(r, map, path, include as string, exclude as string);
  }
  return filter;
}

function checkPattern(r: Reader, pattern: string, at: Position, path: string): void {
  if (filterPatternProblem(pattern.startsWith('!') ? pattern.slice(1) : pattern) !== undefined) {
    r.error(at, path, `invalid filter pattern \`${pattern}\`; check its [ ] ranges`);
  }
}

function bothSet(r: Reader, map: MapNode, path: string, include: string, exclude: string): void {
  const second = getPair(map, exclude);
  if (!getPair(map, include) || !second) return;
  r.error(second.keyPos, child(path, exclude),
    `found both \`${include}\` and \`${exclude}\`; use one of them (a \`!pattern\` in \`${include}\` excludes)`);
}

function readDispatch(r: Reader, node: YNode, path: string): Record<string, InputSpec> {
  if (isNull(node)) return {};
  const map = readMap(r, node, path);
  if (!map) return {};
  checkKeys(r, map, path, ['inputs']);
  const inputs = getPair(map, 'inputs');
  return inputs ? readInputs(r, inputs.value, child(path, 'inputs'), 'dispatch') : {};
}

/** `schedule: [{cron}]`; each cron is checked now so a typo is reported at its position. */
function readSchedule(r: Reader, node: YNode, path: string): { cron: string }[] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a list of \`- cron: ...\` entries, found ${describe(node)}`);
    return [];
  }
  if (node.items.length === 0) r.error(node, path, 'expected at least one `- cron: ...` entry, found none');
  const out: { cron: string }[] = [];
  node.items.forEach((item, i) => {
    const p = child(path, i);
    const map = readMap(r, item, p, 'a mapping with `cron`');
    if (!map) return;
    // `timezone` (workflow-v1.0.json `cron-mapping`): Slipway evaluates every cron in UTC.
    const suggested = checkKeys(r, map, p, ['cron'], ['timezone']);
    checkRequired(r, map, map, p, ['cron'], suggested, 'every schedule entry');
    const cron = getPair(map, 'cron');
    if (!cron) return;
    const text = readScalarText(r, cron.value, child(p, 'cron'));
    if (text === undefined) return;
    try {
      parseCron(text);
      out.push({ cron: text });
    } catch (err) {
      if (!isSlipwayError(err)) throw err;
      r.error(cron.value, child(p, 'cron'), err.message);
    }
  });
  return out;
}

function readRepositoryDispatch(r: Reader, node: YNode, path: string): { types: string[] } {
  if (isNull(node)) return { types: [] };
  const map = readMap(r, node, path, 'a mapping with `types`');
  if (!map) return { types: [] };
  checkKeys(r, map, path, ['types']);
  const types = getPair(map, 'types');
  return { types: types ? readStringList(r, types.value, child(path, 'types')).map((t) => t.value) : [] };
}
