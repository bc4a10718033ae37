// The only importer of `yaml` (eemeli/yaml) in the workflow module: parses text into a
// small tree of maps, sequences and scalars that remember their 1-based line and column,
// so the rest of the parser neither depends on the library nor loses positions.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export type ScalarValue = string | number | boolean | null;

export type YNode =
  | ({ kind: 'map'; pairs: YPair[] } & Position)
  | ({ kind: 'seq'; items: YNode[] } & Position)
  | ({ kind: 'scalar'; value: ScalarValue } & Position);

export interface YPair {
  key: string;
  keyPos: Position;
  value: YNode;
}

export interface YamlProblem extends Position {
  message: string;
}

/** Parses one YAML document; syntax errors come back as problems, never thrown. */
export function parseYamlTree(text: string): { root?: YNode; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const problems: YamlProblem[] = doc.errors.map((e) => ({ ...at(e.pos[0]), message: cleanMessage(e.message) }));
  if (problems.length > 0) return { problems };
  try {
    return { root: convert(doc, doc.contents as YamlNode | null, at, 0), problems };
  } catch (err) {
    if (err instanceof TreeError) return { problems: [{ ...err.pos, message: err.message }] };
    throw err;
  }
}

class TreeError extends Error {
  readonly pos: Position;
  constructor(message: string, pos: Position) {
    super(message);
    this.pos = pos;
  }
}

// Deep alias chains (billion laughs) must not exhaust the stack or memory.
const maxDepth = 100;

function convert(doc: Document, node: YamlNode | null, at: (offset?: number) => Position, depth: number): YNode {
  if (node === null || node === undefined) return { kind: 'scalar', value: null, line: 1, column: 1 };
  const pos = at(node.range?.[0]);
  if (depth > maxDepth) throw new TreeError(`nesting deeper than ${maxDepth} levels (through aliases?)`, pos);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new TreeError(`unknown alias *${node.source}`, pos);
    return { ...convert(doc, target, at, depth + 1), ...pos };
  }
  if (isMap(node)) {
    const pairs: YPair[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const keyPos = keyNode?.range ? at(keyNode.range[0]) : pos;
      if (!isScalar(keyNode)) throw new TreeError('expected a plain key, found a mapping or sequence as a key', keyPos);
      const value = pair.value as YamlNode | null;
      // `key:` with nothing after it is null, positioned at the key.
      const converted = value === null ? { kind: 'scalar' as const, value: null, ...keyPos } : convert(doc, value, at, depth + 1);
      pairs.push({ key: String(keyNode.value), keyPos, value: converted });
    }
    return { kind: 'map', pairs, ...pos };
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => convert(doc, item as YamlNode | null, at, depth + 1));
    return { kind: 'seq', items, ...pos };
  }
  if (isScalar(node)) {
    const v = node.value;
    const value: ScalarValue =
      v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    return { kind: 'scalar', value, ...pos };
  }
  throw new TreeError('unsupported YAML node', pos);
}

function cleanMessage(message: string): string {
  if (message.startsWith('Source contains multiple documents')) {
    return 'found a second YAML document (`---`); a workflow file holds exactly one';
  }
  // The library may append " at line N, column M"; we print our own position.
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}
