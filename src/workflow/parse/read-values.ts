// Workflow values that may hold `${{ }}` expressions, read from the YAML tree: each
// placeholder is parsed as it is read, so a broken expression is reported at its key.
import { isSlipwayError } from '../../core/errors.ts';
import { parseExpression } from '../expressions/parser.ts';
import { splitTemplate } from '../expressions/template.ts';
import { unavailable } from './context-availability.ts';
import type { Position, YNode } from '../yaml/node.ts';
import { child, describe, readEntries, readLiteralBoolean, readScalarText } from '../yaml/reader.ts';
import type { Reader } from '../yaml/reader.ts';

/** A scalar as the string GitHub would see (see readScalarText), its `${{ }}` checked. */
export function readString(r: Reader, node: YNode, path: string): string | undefined {
  const text = readScalarText(r, node, path);
  if (text !== undefined) checkExpressions(r, node, path, text);
  return text;
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

/** `env`, `with`, `outputs`: a mapping of names to scalars, all made strings. */
export function readStringMap(r: Reader, node: YNode, path: string): Record<string, string> {
  return readEntries(r, node, path, 'a mapping of names to values', (pair, p) => readString(r, pair.value, p));
}

/** Linux's limit for one environment variable (MAX_ARG_STRLEN); a larger one cannot start a process. */
const maxEnvValueBytes = 128 * 1024;

/** An `env:` mapping; a value too large for a process environment is an error here, not at run time. */
export function readEnv(r: Reader, node: YNode, path: string): Record<string, string> {
  const env = readStringMap(r, node, path);
  if (node.kind === 'map') {
    for (const pair of node.pairs) {
      const value = env[pair.key];
      if (value === undefined || Buffer.byteLength(value) <= maxEnvValueBytes) continue;
      r.error(pair.value, child(path, pair.key), `a value of ${Buffer.byteLength(value)} bytes is larger than an environment variable can be (${maxEnvValueBytes} bytes); pass large data in a file`);
    }
  }
  return env;
}

/** A boolean, or (where GitHub allows it) a `${{ }}` expression returned as text. */
export function readBoolean(r: Reader, node: YNode, path: string): { value: boolean; expression?: string } {
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('${{')) {
    checkExpressions(r, node, path, node.value);
    return { value: false, expression: node.value };
  }
  return { value: readLiteralBoolean(r, node, path) ?? false };
}

export function readPositiveNumber(r: Reader, node: YNode, path: string, max = Number.MAX_SAFE_INTEGER, unit = ''): { value?: number; expression?: string } {
  if (node.kind === 'scalar' && typeof node.value === 'number' && node.value > 0) {
    if (node.value <= max) return { value: node.value };
    r.error(node, path, `${node.value} is out of range: at most ${max}${unit}`);
    return {};
  }
  if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.includes('${{')) {
    checkExpressions(r, node, path, node.value);
    return { expression: node.value };
  }
  r.error(node, path, `expected a positive number, found ${describe(node)}`);
  return {};
}

/** Reports `${{ }}` placeholders whose expressions do not parse or use a context `path` does not offer. */
export function checkExpressions(r: Reader, at: Position, path: string, text: string): void {
  if (!text.includes('${{')) return;
  try {
    for (const part of splitTemplate(text)) {
      if (part.kind !== 'expression') continue;
      const problem = unavailable(parseExpression(part.expression), path);
      if (problem) r.error(at, path, problem);
    }
  } catch (err) {
    if (!isSlipwayError(err)) throw err;
    r.error(at, path, `invalid expression: ${err.message}`);
  }
}
