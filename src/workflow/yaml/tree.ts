// The only importer of `yaml` (eemeli/yaml): parses one untrusted document into the
// positioned tree of node.ts, within YamlLimits, so no reader depends on the library or
// loses positions, and no document can stall the process.
//
// The library is asked for syntax only. Aliases are resolved here, once per anchor, with
// the size and height of what each anchor holds, so a "billion laughs" is refused in time
// proportional to the text, not to its expansion; duplicate keys are checked here with a
// Set because the library's `uniqueKeys` compares every pair (minutes for a 1 MiB map).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { workflowYamlLimits } from './limits.ts';
import type { YamlLimits } from './limits.ts';
import { findTooDeep } from './nesting-scan.ts';
import type { Position, YamlProblem, YNode, YPair } from './node.ts';

/** Parses one YAML document; syntax errors and exceeded limits come back as problems, never thrown. */
export function parseYamlTree(text: string, limits: YamlLimits = workflowYamlLimits): { root?: YNode; problems: YamlProblem[] } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    return { problems: [{ line: 1, column: 1, message: `the file is ${bytes} bytes; it exceeds the limit of ${limits.maxBytes} bytes` }] };
  }
  const deep = findTooDeep(text, limits.maxDepth);
  if (deep) return { problems: [{ ...deep, message: tooDeep(limits) }] };
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    // The library recursing past the stack in a shape the pre-scan did not foresee.
    if (err instanceof RangeError) return { problems: [{ line: 1, column: 1, message: tooDeep(limits) }] };
    throw err;
  }
  const at = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const problems: YamlProblem[] = doc.errors.map((e) => ({ ...at(e.pos[0]), message: cleanMessage(e.message) }));
  if (problems.length > 0) return { problems };
  try {
    const walk: Walk = { at, text, limits, anchors: new Map(), nodes: 0, aliasNodes: 0 };
    return { root: convert(walk, doc.contents as YamlNode | null, 0).node, problems };
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

/** A converted node with the number of nodes it stands for and how many levels it spans. */
interface Converted {
  node: YNode;
  size: number;
  height: number;
}

interface Walk {
  at: (offset?: number) => Position;
  text: string;
  limits: YamlLimits;
  /** Anchor name → what it holds; `open` while the anchored node is still being read. */
  anchors: Map<string, Converted | 'open'>;
  nodes: number;
  aliasNodes: number;
}

// YAML 1.2's core schema (`!!str 5` is the string "5", `!!int "5"` the number) and the
// non-specific `!`; GitHub's reader knows no others, so `!foo` or `!!binary` is an error
// at its line instead of a value silently read as text.
const coreTags = new Set(['!', ...['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`)]);
const unknownTag = (tag: string): string => {
  const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
  return `unsupported YAML tag \`${shown}\`; only the core tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) are allowed`;
};

const tooDeep = (limits: YamlLimits): string => `nesting exceeds the limit of ${limits.maxDepth} levels (counted through aliases)`;

function count(walk: Walk, size: number, pos: Position): void {
  walk.nodes += size;
  if (walk.nodes > walk.limits.maxNodes) {
    throw new TreeError(`the document exceeds the limit of ${walk.limits.maxNodes} nodes (counting what aliases expand to)`, pos);
  }
}

function convert(walk: Walk, node: YamlNode | null, depth: number): Converted {
  if (node === null || node === undefined) return { node: { kind: 'scalar', value: null, line: 1, column: 1 }, size: 1, height: 1 };
  const pos = walk.at(node.range?.[0]);
  if (depth >= walk.limits.maxDepth) throw new TreeError(tooDeep(walk.limits), pos);
  if (isAlias(node)) return expandAlias(walk, node.source, pos, depth);
  if (node.tag !== undefined && !coreTags.has(node.tag)) throw new TreeError(unknownTag(node.tag), pos);
  const anchor = node.anchor;
  if (anchor) walk.anchors.set(anchor, 'open');
  const converted = convertNode(walk, node, pos, depth);
  if (anchor) walk.anchors.set(anchor, converted);
  return converted;
}

/** An alias stands for its anchor's node at the alias's position, and costs what that node costs. */
function expandAlias(walk: Walk, name: string, pos: Position, depth: number): Converted {
  const { limits } = walk;
  if (!limits.allowAliases) throw new TreeError(`aliases (\`*${name}\`) are not allowed in this file`, pos);
  const target = walk.anchors.get(name);
  if (target === undefined) throw new TreeError(`unknown alias *${name}`, pos);
  if (target === 'open') throw new TreeError(`alias *${name} refers to the node that contains it`, pos);
  if (depth + target.height > limits.maxDepth) throw new TreeError(tooDeep(limits), pos);
  walk.aliasNodes += target.size;
  if (walk.aliasNodes > limits.maxAliasNodes) {
    throw new TreeError(`alias *${name} expands to ${target.size} nodes; the document exceeds the limit of ${limits.maxAliasNodes} nodes reached through aliases`, pos);
  }
  count(walk, target.size, pos);
  return { ...target, node: { ...target.node, ...pos } };
}

function convertNode(walk: Walk, node: YamlNode, pos: Position, depth: number): Converted {
  if (isMap(node)) {
    count(walk, 1, pos);
    const pairs: YPair[] = [];
    const seen = new Set<string>();
    let size = 1;
    let height = 0;
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const keyPos = keyNode?.range ? walk.at(keyNode.range[0]) : pos;
      if (!isScalar(keyNode)) throw new TreeError('expected a plain key, found a mapping or sequence as a key', keyPos);
      const key = String(keyNode.value);
      if (seen.has(key)) throw new TreeError('Map keys must be unique', keyPos);
      seen.add(key);
      const value = pair.value as YamlNode | null;
      // `key:` with nothing after it is null, positioned at the key.
      const converted = value === null ? { node: { kind: 'scalar' as const, value: null, ...keyPos }, size: 1, height: 1 } : convert(walk, value, depth + 1);
      pairs.push({ key, stringKey: typeof keyNode.value === 'string', keyPos, value: converted.node });
      size += converted.size;
      height = Math.max(height, converted.height);
    }
    return { node: { kind: 'map', pairs, ...pos }, size, height: height + 1 };
  }
  if (isSeq(node)) {
    count(walk, 1, pos);
    const items: YNode[] = [];
    let size = 1;
    let height = 0;
    for (const item of node.items) {
      const converted = convert(walk, item as YamlNode | null, depth + 1);
      items.push(converted.node);
      size += converted.size;
      height = Math.max(height, converted.height);
    }
    return { node: { kind: 'seq', items, ...pos }, size, height: height + 1 };
  }
  if (isScalar(node)) {
    count(walk, 1, pos);
    const v = node.value;
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) {
      const [start, end] = node.range ?? [0, 0];
      return { node: { kind: 'scalar', value: v, source: walk.text.slice(start, end), ...pos }, size: 1, height: 1 };
    }
    return { node: { kind: 'scalar', value: v === null || typeof v === 'string' ? v : String(v), ...pos }, size: 1, height: 1 };
  }
  throw new TreeError('unsupported YAML node', pos);
}

function cleanMessage(message: string): string {
  if (message.startsWith('Source contains multiple documents')) {
    return 'found a second YAML document (`---`); a file holds exactly one';
  }
  // The library may append " at line N, column M"; we print our own position.
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}
