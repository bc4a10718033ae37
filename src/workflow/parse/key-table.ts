// The one way a parser reads a mapping's keys: a table from key to reader, applied in the
// order the keys are written, so diagnostics come out in file order. Keys not in the table
// were reported by checkKeys already and are passed over here.
import type { MapNode, Reader } from '../yaml/reader.ts';
import { child } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';

/** Reads one key's value into `target`; `path` names the key (`jobs.build.env`). */
export type KeyReader<T> = (r: Reader, node: YNode, path: string, target: T) => void;
export type KeyTable<T> = Readonly<Record<string, KeyReader<T>>>;

export function readKeyTable<T>(r: Reader, map: MapNode, path: string, target: T, table: KeyTable<T>): void {
  for (const pair of map.pairs) {
    const read = Object.hasOwn(table, pair.key) ? table[pair.key] : undefined;
    read?.(r, pair.value, child(path, pair.key), target);
  }
}

/** The table entry for a key whose value one reader turns into `target[field]`. */
export function into<T, K extends keyof T>(field: K, read: (r: Reader, node: YNode, path: string) => T[K]): KeyReader<T> {
  return (r, node, path, target) => {
    target[field] = read(r, node, path);
  };
}
