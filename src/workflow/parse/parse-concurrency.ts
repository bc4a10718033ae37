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
  const suggested = checkKeys(r, map, path, ['group', 'cancel-in-progress', 'queue']);
  checkRequired(r, map, map, path, ['group'], suggested, 'a concurrency mapping');
  const spec: ConcurrencySpec = { group: '', cancelInProgress: false };
  const group = getPair(map, 'group');
  if (group) spec.group = readString(r, group.value, child(path, 'group')) ?? '';
  const cancel = getPair(map, 'cancel-in-progress');
  if (cancel) {
    const c = readBoolean(r, cancel.value, child(path, 'cancel-in-progress'));
    spec.cancelInProgress = c.expression ?? c.value;
  }
  const queue = getPair(map, 'queue');
  if (queue) readQueue(r, queue.value, child(path, 'queue'));
  if (group && spec.group.trim() === '') r.error(group.value, child(path, 'group'), 'expected a non-empty group name, found an empty string');
  return spec;
}

/** `queue: single` (the default: at most one pending) is what Slipway does; `max` is not supported yet. */
function readQueue(r: Reader, node: YNode, path: string): void {
  const text = readScalarText(r, node, path);
  if (text === undefined || text === 'single') return;
  if (text === 'max') r.error(node, path, '`queue: max` is valid GitHub Actions syntax but not supported yet; Slipway keeps at most one pending (`single`)');
  else r.error(node, path, `unknown queue mode \`${text}\`; ${hint(text, ['single', 'max'])}`);
}

// docs §permissions and workflow-v1.0.json `permissions-mapping`: the scopes and their
// levels (`id-token` and `copilot-requests` have no read, `models` and
// `vulnerability-alerts` no write).
const any = ['read', 'write', 'none'] as const;
export const permissionScopes: Readonly<Record<string, readonly string[]>> = {
  actions: any,
  'artifact-metadata': any,
  attestations: any,
  checks: any,
  'code-quality': any,
  contents: any,
  'copilot-requests': ['write', 'none'],
  deployments: any,
  discussions: any,
  drives: any,
  'id-token': ['write', 'none'],
  issues: any,
  models: ['read', 'none'],
  packages: any,
  pages: any,
  'pull-requests': any,
  'repository-projects': any,
  'security-events': any,
  statuses: any,
  'vulnerability-alerts': ['read', 'none'],
};
const scopes = permissionScopes;

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
