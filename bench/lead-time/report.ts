// The printed table: one column per push (the cold first push, then the warm ones) and the
// median of the warm pushes, rows in the order the breakdown made them.
import type { Breakdown, Group } from './breakdown.ts';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const titles: Record<Group, string> = {
  path: 'critical path (ms; adds up to the lead time)',
  after: 'after the new version answers (ms; holds the environment lock)',
  detail: 'deployment commands (ms; each from its log line to the next)',
  summary: 'summary (ms)',
};

/** `cold` is the first push (base image creation), `warm` the measured ones. */
export function formatTable(cold: Breakdown, warm: Breakdown[]): string {
  const all = [cold, ...warm];
  const header = ['', 'cold', ...warm.map((_, i) => `#${i + 1}`), 'median'];
  const labels: { group: Group; label: string }[] = [];
  for (const b of all) {
    for (const r of b.rows) if (!labels.some((l) => l.label === r.label && l.group === r.group)) labels.push({ group: r.group, label: r.label });
  }
  const value = (b: Breakdown, group: Group, label: string) => b.rows.find((r) => r.group === group && r.label === label)?.ms;
  const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : String(Math.round(v)));

  const body: string[][] = [];
  for (const group of ['path', 'after', 'detail', 'summary'] as const) {
    body.push([`— ${titles[group]}`]);
    for (const { label } of labels.filter((l) => l.group === group)) {
      const warmValues = warm.map((b) => value(b, group, label)).filter((v): v is number => v !== undefined);
      body.push([`  ${label}`, ...all.map((b) => fmt(value(b, group, label))), fmt(median(warmValues))]);
    }
  }
  const width = (i: number) => Math.max(...[header, ...body].filter((r) => r.length > 1).map((r) => (r[i] ?? '').length));
  const widths = header.map((_, i) => width(i));
  const line = (cells: string[]) =>
    cells.length === 1 ? cells[0]! : cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
