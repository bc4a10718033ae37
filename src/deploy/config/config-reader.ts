// Typed reads from a YAML syntax tree that record every problem as a Diagnostic with the
// position of the offending node, so one pass reports all errors in the user's file.
import { isMap, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node, Pair } from 'yaml';
import type { Diagnostic } from '../../core/errors.ts';
import { isValidName } from '../../core/ids.ts';
import { editDistance } from '../../workflow/yaml/suggest.ts';

export class ConfigReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly file: string;
  readonly text: string;
  readonly lines: LineCounter;

  constructor(file: string, text: string, lines: LineCounter) {
    this.file = file;
    this.text = text;
    this.lines = lines;
  }

  /** Records a problem at `node` (or at the start of the file when there is none). */
  error(node: Node | null | undefined, path: string, message: string): void {
    this.errorAt(node?.range?.[0] ?? 0, path, message);
  }

  errorAt(offset: number, path: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.diagnostics.push({ file: this.file, line, column: col, path, message });
  }

  /**
   * The entries of a mapping, keyed by their (string) key. Keys outside `allowed` are
   * reported with a suggestion; `required` keys that are missing are reported at the map.
   */
  map(node: unknown, path: string, allowed: readonly string[] | null, required: readonly string[] = []): Map<string, Pair<Node, Node | null>> | undefined {
    if (!isMap(node)) {
      this.error(node as Node, path, `expected a mapping, found ${describe(node)}`);
      return undefined;
    }
    const entries = new Map<string, Pair<Node, Node | null>>();
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        this.error(pair.key, path, 'keys must be plain strings');
        continue;
      }
      const key = pair.key.value;
      if (allowed && !allowed.includes(key)) {
        const hint = closest(key, allowed);
        this.error(pair.key, join(path, key), `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ` (allowed: ${allowed.join(', ')})`}`);
        continue;
      }
      entries.set(key, pair);
    }
    for (const key of required) {
      if (!entries.has(key)) this.error(node, join(path, key), `missing required key "${key}"`);
    }
    return entries;
  }

  string(node: Node | null, path: string, check?: StringCheck): string | undefined {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
      this.error(node, path, `expected a non-empty string, found ${describe(node)}`);
      return undefined;
    }
    if (check && !check.valid(node.value)) {
      this.error(node, path, `"${node.value}" is not ${check.expected}`);
      return undefined;
    }
    return node.value;
  }

  /** An environment value: strings as written; numbers and booleans as their source text. */
  scalarText(node: Node | null, path: string): string | undefined {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.error(node, path, `expected a string, number or boolean, found ${describe(node)}`);
      return undefined;
    }
    if (typeof node.value === 'string') return node.value;
    const [start, end] = node.range ?? [0, 0];
    return this.text.slice(start, end);
  }

  integer(node: Node | null, path: string, min: number, max: number): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.error(node, path, `expected an integer, found ${describe(node)}`);
      return undefined;
    }
    if (node.value < min || node.value > max) {
      this.error(node, path, `${node.value} is out of range (${min}–${max})`);
      return undefined;
    }
    return node.value;
  }

  boolean(node: Node | null, path: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.error(node, path, `expected true or false, found ${describe(node)}`);
      return undefined;
    }
    return node.value;
  }

  /** `500ms`, `1s`, `1.5s`, `2m` → milliseconds. */
  duration(node: Node | null, path: string, options: { allowZero: boolean }): number | undefined {
    const raw = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    const match = raw === undefined ? null : /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw);
    if (!match) {
      this.error(node, path, `expected a duration such as 500ms, 5s or 2m, found ${describe(node)}`);
      return undefined;
    }
    const ms = Math.round(Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']);
    if (ms === 0 && !options.allowZero) {
      this.error(node, path, 'must be greater than zero');
      return undefined;
    }
    return ms;
  }

  /** A sequence; each item is passed to `item` with its index path. */
  list<T>(node: Node | null, path: string, item: (node: Node | null, path: string) => T | undefined): T[] | undefined {
    if (!isSeq(node)) {
      this.error(node, path, `expected a list, found ${describe(node)}`);
      return undefined;
    }
    const out: T[] = [];
    node.items.forEach((child, i) => {
      const value = item(child as Node | null, `${path}[${i}]`);
      if (value !== undefined) out.push(value);
    });
    return out;
  }
}

/** What a string must look like, and how to say so in a message. */
export interface StringCheck {
  valid: (value: string) => boolean;
  expected: string;
}

export function matching(pattern: RegExp, expected: string): StringCheck {
  return { valid: (value) => pattern.test(value), expected };
}

/** Service and environment names end up in container names, labels and URLs. */
export const nameCheck: StringCheck = { valid: isValidName, expected: 'a valid name (lowercase letters, digits, ".", "_", "-")' };

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    if (typeof node.value === 'string') return `"${node.value}"`;
    return `${typeof node.value} ${String(node.value)}`;
  }
  return 'an unsupported value';
}

/** The allowed word nearest to a misspelt one, if it is close enough to be a likely typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
