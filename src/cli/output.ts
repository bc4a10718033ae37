// Terminal output: colour only on a TTY and never with NO_COLOR (no-color.org).
import { styleText } from 'node:util';

function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

type Style = Parameters<typeof styleText>[0];

export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? styleText(style, text, { validateStream: false }) : text;
}

export function statusText(status: string): string {
  const style: Record<string, Style> = { success: 'green', failure: 'red', cancelled: 'yellow', running: 'cyan', queued: 'gray', waiting: 'yellow', skipped: 'gray' };
  return paint(style[status] ?? 'reset', status);
}

/** A plain table: columns padded to their widest cell (colour codes excluded). */
export function table(headers: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c)))).join('  ');
  return [paint('bold', line(headers)), ...rows.map(line)].join('\n');
}

/** A list command's output: JSON with --json, else `empty` when there is nothing, else a table. */
export function printList<T>(list: T[], json: boolean, empty: string, headers: string[], row: (item: T) => string[]): void {
  if (json) console.log(JSON.stringify(list, null, 2));
  else if (list.length === 0) console.log(empty);
  else console.log(table(headers, list.map(row)));
}

export function duration(start: string | null, end: string | null): string {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  if (ms < 1000) return `${ms}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`; // 59.95 s would print as "60.0s"
  // Round once, then split: rounding the seconds alone printed 1m59.6s as "1m60s".
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

export function ago(iso: string): string {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
