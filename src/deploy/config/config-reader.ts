// deploy.yml's typed reads over the shared YAML tree (workflow/yaml/): the same parse,
// limits, positions, diagnostics and did-you-mean as workflows; only the wording is
// deploy.yml's own ("expected a list", quoted values), which its users and tests know.
import { isValidName } from '../../core/ids.ts';
import { parseDuration } from '../../core/duration.ts';
import type { Position, YNode, YPair } from '../../workflow/yaml/node.ts';
import { child, Reader, unknownKeys } from '../../workflow/yaml/reader.ts';

export class ConfigReader extends Reader {
  /**
   * The entries of a mapping, keyed by their (string) key. Keys outside `allowed` are
   * reported with a suggestion; `required` keys that are missing are reported at the map.
   */
  map(node: YNode, path: string, allowed: readonly string[] | null, required: readonly string[] = []): Map<string, YPair> | undefined {
    if (node.kind !== 'map') {
      this.error(node, path, `expected a mapping, found ${describe(node)}`);
      return undefined;
    }
    const unknown = new Map(allowed ? unknownKeys(node, allowed).map((u) => [u.pair, u.guess]) : []);
    const entries = new Map<string, YPair>();
    for (const pair of node.pairs) {
      if (!pair.stringKey) {
        this.error(pair.keyPos, path, 'keys must be plain strings');
        continue;
      }
      if (unknown.has(pair)) {
        const guess = unknown.get(pair);
        this.error(pair.keyPos, child(path, pair.key), `unknown key "${pair.key}"${guess ? `; did you mean "${guess}"?` : ` (allowed: ${(allowed ?? []).join(', ')})`}`);
        continue;
      }
      entries.set(pair.key, pair);
    }
    for (const key of required) {
      if (!entries.has(key)) this.error(node, child(path, key), `missing required key "${key}"`);
    }
    return entries;
  }

  string(node: YNode, path: string, check?: StringCheck): string | undefined {
    if (node.kind !== 'scalar' || typeof node.value !== 'string' || node.value === '') {
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
  scalarText(node: YNode, path: string): string | undefined {
    if (node.kind !== 'scalar' || node.value === null) {
      this.error(node, path, `expected a string, number or boolean, found ${describe(node)}`);
      return undefined;
    }
    return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  }

  integer(node: YNode, path: string, min: number, max: number): number | undefined {
    if (node.kind !== 'scalar' || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.error(node, path, `expected an integer, found ${describe(node)}`);
      return undefined;
    }
    if (node.value < min || node.value > max) {
      this.error(node, path, `${node.value} is out of range (${min}–${max})`);
      return undefined;
    }
    return node.value;
  }

  boolean(node: YNode, path: string): boolean | undefined {
    if (node.kind !== 'scalar' || typeof node.value !== 'boolean') {
      this.error(node, path, `expected true or false, found ${describe(node)}`);
      return undefined;
    }
    return node.value;
  }

  /** `500ms`, `1s`, `1.5s`, `2m` → milliseconds. */
  duration(node: YNode, path: string, options: { allowZero: boolean }): number | undefined {
    const raw = node.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
    const ms = raw === undefined ? undefined : parseDuration(raw, ['ms', 's', 'm']);
    if (ms === undefined) {
      this.error(node, path, `expected a duration such as 500ms, 5s or 2m, found ${describe(node)}`);
      return undefined;
    }
    if (ms === 0 && !options.allowZero) {
      this.error(node, path, 'must be greater than zero');
      return undefined;
    }
    return ms;
  }

  /** A sequence; each item is passed to `item` with its index path. */
  list<T>(node: YNode, path: string, item: (node: YNode, path: string) => T | undefined): T[] | undefined {
    if (node.kind !== 'seq') {
      this.error(node, path, `expected a list, found ${describe(node)}`);
      return undefined;
    }
    const out: T[] = [];
    node.items.forEach((child, i) => {
      const value = item(child, `${path}[${i}]`);
      if (value !== undefined) out.push(value);
    });
    return out;
  }
}

/** A mapping's key as a string node at the key's position, to check it like a value. */
export function keyNode(pair: YPair): YNode & Position {
  return { kind: 'scalar', value: pair.key, ...pair.keyPos };
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

function describe(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  // The tree's stand-in for an empty document or a key without a value has no source text.
  if (node.value === null) return node.source === undefined ? 'nothing' : 'null';
  if (typeof node.value === 'string') return `"${node.value}"`;
  return `${typeof node.value} ${String(node.value)}`;
}
