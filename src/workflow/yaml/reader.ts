// Reading typed values out of the YAML tree while collecting diagnostics: each reader
// reports what it found and what was expected, at the node's position, and carries on so
// one pass reports every problem in the file. Workflows, actions and deploy.yml all read
// through here; values that may hold `${{ }}` are read in ../parse/read-values.ts.
import type { Diagnostic } from '../../core/errors.ts';
import { numberToString } from '../expressions/values.ts';
import type { Position, YNode, YPair } from './node.ts';
import { suggest } from './suggest.ts';

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

/** The pairs whose keys are not in `known`, each with the closest known key if one is close. */
export function unknownKeys(map: MapNode, known: readonly string[]): { pair: YPair; guess?: string }[] {
  return map.pairs.filter((p) => !known.includes(p.key)).map((pair) => ({ pair, guess: suggest(pair.key, known) }));
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
  for (const { pair, guess } of unknownKeys(map, known)) {
    if (unsupported.includes(pair.key)) {
      r.error(pair.keyPos, child(path, pair.key), `\`${pair.key}\` is valid GitHub Actions syntax but not supported yet`);
      continue;
    }
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

/** `read` applied to the value of `key` in `map` at its path; undefined when the key is absent. */
export function readKey<T>(r: Reader, map: MapNode, path: string, key: string, read: (r: Reader, node: YNode, path: string) => T): T | undefined {
  const pair = getPair(map, key);
  return pair ? read(r, pair.value, child(path, key)) : undefined;
}

/**
 * A scalar as the string GitHub would see: numbers printed as the expression engine
 * prints them (so `1.10` is `1.1`, as on GitHub), booleans `true`/`false`, null ''.
 * Does not check `${{ }}` inside (readString in ../parse/read-values.ts does).
 */
export function readScalarText(r: Reader, node: YNode, path: string): string | undefined {
  if (node.kind !== 'scalar') {
    r.error(node, path, `expected a string, found ${describe(node)}`);
    return undefined;
  }
  const v = node.value;
  return v === null ? '' : typeof v === 'number' ? numberToString(v) : String(v);
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

/** A literal `true` or `false` (no expression); undefined after reporting anything else. */
export function readLiteralBoolean(r: Reader, node: YNode, path: string): boolean | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  r.error(node, path, `expected true or false, found ${describe(node)}`);
  return undefined;
}
