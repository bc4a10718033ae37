// `jobs.<id>.runs-on` (docs.github.com "Workflow syntax" §jobs.<job_id>.runs-on, "Choosing
// runners in a group"): a label, a list of labels, or `{ group, labels }`. Slipway has no
// separate runner-group objects: a group is a label that the admin gives every runner of
// the group (runner.labels), so the job needs the group's name as one more label and the
// scheduler's matching (every label offered) needs nothing new. docs/workflow.md.
import type { Reader } from '../yaml/reader.ts';
import { checkKeys, describe, getPair, readKey } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';
import { readString, readStringList } from './read-values.ts';

export function readRunsOn(r: Reader, node: YNode, path: string): { labels: string[]; group?: string } {
  if (node.kind !== 'map') return { labels: readLabels(r, node, path) };
  const map = node;
  checkKeys(r, map, path, ['group', 'labels']);
  const group = readKey(r, map, path, 'group', readString);
  const labels = readKey(r, map, path, 'labels', readLabels) ?? [];
  if (group === undefined && !getPair(map, 'labels')) {
    r.error(node, path, 'expected `group` and/or `labels` in the mapping, found neither');
  }
  if (group !== undefined && group.trim() === '') r.error(getPair(map, 'group')?.value ?? node, `${path}.group`, 'expected a runner group name, found an empty string');
  return group ? { labels: [...labels, group], group } : { labels };
}

function readLabels(r: Reader, node: YNode, path: string): string[] {
  if (node.kind === 'map') {
    r.error(node, path, `expected a label or a list of labels, found ${describe(node)}`);
    return [];
  }
  const labels = readStringList(r, node, path);
  if (labels.length === 0) r.error(node, path, 'expected at least one runner label, found none');
  for (const label of labels) {
    if (label.value.trim() === '') r.error(label.node, path, 'expected a runner label, found an empty string');
  }
  return labels.map((l) => l.value);
}
