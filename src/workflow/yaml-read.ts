// Reading typed values out of the YAML tree while collecting diagnostics: each reader
// reports what it found and what was expected, at the node's position, and carries on so
// one pass reports every problem in the file.
import type { Diagnostic } from '../core/errors.ts';
import { isSlipwayError } from '../core/errors.ts';
import { parseExpression } from './expressions/parser.ts';
import { splitTemplate } from './expressions/template.ts';
import { numberToString } from './expressions/values.ts';
import { suggest } from './suggest.ts';
import type { Position, YNode, YPair } from './yaml-tree.ts';

export type MapNode = Extract<YNode, { kind: 'map' }>;

export class Reader {
  readonly file: string;
  readonly diagnostics: Diagnostic[] = [];

  constructor(file: string) {
    this.file = file;
  }

  error(at: Position, path: string, message: string): void {
    this.diagnostics.push({ file: this.file, line: at.line, column: at.column, path, message });
  }
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** "a mapping", "a string (`x`)", … for "found …" messages. */
export function describe(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a sequence';
  const v = node.value;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'string') return `a string (\`${v.length > 40 ? `${v.slice(0, 40)}…` : v}\`)`;
  return `a ${typeof v} (\`${String(v)}\`)`;
}

export function isNull(node: YNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}

export function readMap(r: Reader, node: YNode, path: string, expected = 'a mapping'): MapNode | undefined {
  if (node.kind === 'map') return node;
  r.error(node, path, `expected ${expected}, found ${describe(node)}`);
  return undefined;
}

/**
 * Reports keys not in `known`, suggesting the closest one; returns the suggested keys so
 * callers need not also report them as missing. Keys in `unsupported` are valid on GitHub
 * but not implemented here yet: they get their own message.
 */
export function checkKeys(
  r: Reader,
  map: MapNode,
  path: string,
  known: readonly string[],
  unsupported: readonly string[] = [],
): Set<string> {
  const suggested = new Set<string>();
  for (const pair of map.pairs) {
    if (known.includes(pair.key)) continue;
    if (unsupported.includes(pair.key)) {
      r.error(pair.keyPos, child(path, pair.key), `\`${pair.key}\` is valid GitHub Actions syntax but not supported yet`);
      continue;
    }
    const guess = suggest(pair.key, known);
    if (guess) suggested.add(guess);
    const hint = guess ? `did you mean \`${guess}\`?` : `expected one of: ${known.join(', ')}`;
    r.error(pair.keyPos, child(path, pair.key), `unknown key \`${pair.key}\`; ${hint}`);
  }
  return suggested;
}

/** Reports required keys that are absent, unless a misspelling of them was already reported. */
export function checkRequired(
  r: Reader,
  map: MapNode,
  at: Position,
  path: string,
  required: readonly string[],
  suggested: Set<string>,
  what: string,
): void {
  for (const key of required) {
    if (!getPair(map, key) && !suggested.has(key)) r.error(at, path, `missing \`${key}\`; ${what} needs it`);
  }
}

export function getPair(map: MapNode, key: string): YPair | undefined {
  return map.pairs.find((p) => p.key === key);
}

/**
 * A scalar as the string GitHub would see: numbers printed as the expression engine
 * prints them (so `1.10` is `1.1`, as on GitHub), booleans `true`/`false`, null ''.
 */
export function readString(r: Reader, node: YNode, path: string): string | undefined {
  const text = readScalarText(r, node, path);
  if (text !== undefined) checkExpressions(r, node, path, text);
  return text;
}

/** `readString` without checking `${{ }}` inside, for callers that check it themselves. */
export function readScalarText(r: Reader, node: YNode, path: string): string | undefined {
  if (node.kind !== 'scalar') {
    r.error(node, path, `expected a string, found ${describe(node)}`);
    return undefined;
  }
  const v = node.value;
  return v === null ? '' : typeof v === 'number' ? numberToString(v) : String(v);
}

/** A string, or a sequence of strings (`runs-on`, `needs`, branch filters). */
export function readStringList(r: Reader, node: YNode, path: string): { value: string; node: YNode }[] {
  if (node.kind === 'scalar') {
    const value = readString(r, node, path);
    return value === undefined ? [] : [{ value, node }];
  }
  if (node.kind === 'map') {
    r.error(node, path, `expected a string or a sequence of strings, found ${describe(node)}`);
    return [];
  }
  const out: { value: string; node: YNode }[] = [];
  node.items.forEach((item, i) => {
    const value = readString(r, item, child(path, i));
    if (value !== undefined) out.push({ value, node: item });
  });
  return out;
}

/**
 * A mapping of names to entries (`env`, `services`, `inputs`, …); nothing (null) is an
 * empty one. `read` gets each pair and its key path; entries it returns undefined for are left out.
 */
export function readEntries<T>(
  r: Reader,
  node: YNode,
  path: string,
  expected: string,
  read: (pair: YPair, path: string) => T | undefined,
): Record<string, T> {
  const out: Record<string, T> = {};
  if (isNull(node)) return out;
  const map = readMap(r, node, path, expected);
  if (!map) return out;
  for (const pair of map.pairs) {
    const value = read(pair, child(path, pair.key));
    if (value !== undefined) out[pair.key] = value;
  }
  return out;
}

/** `env`, `with`, `outputs`: a mapping of names to scalars, all made strings. */
export function readStringMap(r: Reader, node: YNode, path: string): Record<string, string> {
  return readEntries(r, node, path, 'a mapping of names to values', (pair, p) => readString(r, pair.value, p));
}

/** A literal `true` or `false` (no expression); undefined after reporting anything else. */
export function readLiteralBoolean(r: Reader, node: YNode, path: string): boolean | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  r.error(node, path, `expected true or false, found ${describe(node)}`);
  return undefined;
}

/** A boolean, or (where GitHub allows it) a `${{ }}` expression returned as text. */
export function readBoolean(r: Reader, node: YNode, path: string): { value: boolean; expression?: string } {
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('${{')) {
    checkExpressions(r, node, path, node.value);
    return { value: false, expression: node.value };
  }
  return { value: readLiteralBoolean(r, node, path) ?? false };
}

export function readPositiveNumber(r: Reader, node: YNode, path: string): { value?: number; expression?: string } {
  if (node.kind === 'scalar' && typeof node.value === 'number' && node.value > 0) return { value: node.value };
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('${{')) {
    checkExpressions(r, node, path, node.value);
    return { expression: node.value };
  }
  r.error(node, path, `expected a positive number, found ${describe(node)}`);
  return {};
}

/** Reports `${{ }}` placeholders whose expressions do not parse. */
export function checkExpressions(r: Reader, at: Position, path: string, text: string): void {
  if (!text.includes('${{')) return;
  try {
    for (const part of splitTemplate(text)) {
      if (part.kind === 'expression') parseExpression(part.expression);
    }
  } catch (err) {
    if (!isSlipwayError(err)) throw err;
    r.error(at, path, `invalid expression: ${err.message}`);
  }
}
