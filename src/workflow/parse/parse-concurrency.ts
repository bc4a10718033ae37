// `concurrency` and `permissions`, at workflow and job level (docs.github.com "Workflow
// syntax" §concurrency, §permissions).
import type { ConcurrencySpec } from '../model.ts';
import { hint } from '../yaml/suggest.ts';
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, checkRequired, child, describe, getPair, readMap, readScalarText } from '../yaml/reader.ts';
import { readBoolean, readString } from './read-values.ts';
import type { YNode } from '../yaml/node.ts';

/** `concurrency: group-name` or `{ group, cancel-in-progress }`. */
export function readConcurrency(r: Reader, node: YNode, path: string): ConcurrencySpec | undefined {
  if (node.kind === 'scalar' && node.value !== null) {
    const group = readString(r, node, path);
    return group === undefined ? undefined : { group, cancelInProgress: false };
  }
  const map = readMap(r, node, path, 'a group name or a mapping with `group` and `cancel-in-progress`');
  if (!map) return undefined;
  const suggested = checkKeys(r, map, path, ['group', 'cancel-in-progress']);
  checkRequired(r, map, map, path, ['group'], suggested, 'a concurrency mapping');
  const spec: ConcurrencySpec = { group: '', cancelInProgress: false };
  const group = getPair(map, 'group');
  if (group) spec.group = readString(r, group.value, child(path, 'group')) ?? '';
  const cancel = getPair(map, 'cancel-in-progress');
  if (cancel) {
    const c = readBoolean(r, cancel.value, child(path, 'cancel-in-progress'));
    spec.cancelInProgress = c.expression ?? c.value;
  }
  if (group && spec.group.trim() === '') r.error(group.value, child(path, 'group'), 'expected a non-empty group name, found an empty string');
  return spec;
}

// docs §permissions: the scopes and their levels (`id-token` and `models` have no write/read).
const scopes: Record<string, readonly string[]> = {
  actions: ['read', 'write', 'none'],
  attestations: ['read', 'write', 'none'],
  checks: ['read', 'write', 'none'],
  contents: ['read', 'write', 'none'],
  deployments: ['read', 'write', 'none'],
  discussions: ['read', 'write', 'none'],
  'id-token': ['write', 'none'],
  issues: ['read', 'write', 'none'],
  models: ['read', 'none'],
  packages: ['read', 'write', 'none'],
  pages: ['read', 'write', 'none'],
  'pull-requests': ['read', 'write', 'none'],
  'repository-projects': ['read', 'write', 'none'],
  'security-events': ['read', 'write', 'none'],
  statuses: ['read', 'write', 'none'],
};

/** `permissions: read-all | write-all | { scope: level }`, recorded as written. */
export function readPermissions(r: Reader, node: YNode, path: string): string | Record<string, string> | undefined {
  if (node.kind === 'scalar' && node.value !== null) {
    const text = readScalarText(r, node, path);
    if (text === 'read-all' || text === 'write-all') return text;
    r.error(node, path, `expected \`read-all\`, \`write-all\` or a mapping of scopes to levels, found ${describe(node)}`);
    return undefined;
  }
  if (node.kind === 'scalar') return {}; // `permissions:` with nothing: every scope `none`, like `{}`.
  const map = readMap(r, node, path, '`read-all`, `write-all` or a mapping of scopes to levels');
  if (!map) return undefined;
  checkKeys(r, map, path, Object.keys(scopes));
  const out: Record<string, string> = {};
  for (const pair of map.pairs) {
    const levels = scopes[pair.key];
    if (!levels) continue;
    const p = child(path, pair.key);
    const level = readScalarText(r, pair.value, p);
    if (level === undefined) continue;
    if (!levels.includes(level)) {
      r.error(pair.value, p, `unknown permission level \`${level}\`; ${hint(level, levels)}`);
      continue;
    }
    out[pair.key] = level;
  }
  return out;
}
