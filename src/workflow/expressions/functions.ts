// Built-in functions (docs.github.com "Evaluate expressions in workflows and actions"
// §Functions), with the runner's argument conversions. Names are case-insensitive.
import { expressionError } from './expression-error.ts';
import { foldCase, isPrimitive, looseEquals, toJson, toStringValue } from './values.ts';

interface FunctionInfo {
  /** Canonical spelling. */
  name: string;
  minArgs: number;
  maxArgs: number;
}

const maxArgs = 255;

const infos: FunctionInfo[] = [
  { name: 'contains', minArgs: 2, maxArgs: 2 },
  { name: 'startsWith', minArgs: 2, maxArgs: 2 },
  { name: 'endsWith', minArgs: 2, maxArgs: 2 },
  { name: 'format', minArgs: 1, maxArgs },
  { name: 'join', minArgs: 1, maxArgs: 2 },
  { name: 'toJSON', minArgs: 1, maxArgs: 1 },
  { name: 'fromJSON', minArgs: 1, maxArgs: 1 },
  { name: 'hashFiles', minArgs: 1, maxArgs },
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
];

export const knownFunctions: ReadonlyMap<string, FunctionInfo> = new Map(infos.map((f) => [f.name.toLowerCase(), f]));

/** Functions whose presence in an `if:` turns off the implicit `success() &&`. */
export const statusFunctions: ReadonlySet<string> = new Set(['success', 'failure', 'cancelled', 'always']);

export function contains(search: unknown, item: unknown): boolean {
  if (isPrimitive(search)) {
    if (!isPrimitive(item)) return false;
    return foldCase(toStringValue(search)).includes(foldCase(toStringValue(item)));
  }
  if (Array.isArray(search)) return search.some((element: unknown) => looseEquals(item, element));
  return false;
}

export function startsWith(text: unknown, prefix: unknown): boolean {
  if (!isPrimitive(text) || !isPrimitive(prefix)) return false;
  return foldCase(toStringValue(text)).startsWith(foldCase(toStringValue(prefix)));
}

export function endsWith(text: unknown, suffix: unknown): boolean {
  if (!isPrimitive(text) || !isPrimitive(suffix)) return false;
  return foldCase(toStringValue(text)).endsWith(foldCase(toStringValue(suffix)));
}

export function join(value: unknown, separator?: unknown): string {
  if (isPrimitive(value)) return toStringValue(value);
  if (!Array.isArray(value)) return '';
  const sep = separator !== undefined && isPrimitive(separator) ? toStringValue(separator) : ',';
  return value.map((item: unknown) => toStringValue(item)).join(sep);
}

export function toJSON(value: unknown): string {
  return toJson(value);
}

export function fromJSON(value: unknown, expression: string): unknown {
  const text = toStringValue(value);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw expressionError(`fromJSON: the input is not valid JSON (${(err as Error).message}): '${text}'`, expression);
  }
}

/**
 * `format('{0} and {1}', a, b)`: `{N}` is replaced by argument N as a string; `{{` and
 * `}}` are literal braces; anything else with a brace, or N past the arguments, is an error.
 */
export function format(args: unknown[], expression: string): string {
  const fmt = toStringValue(args[0]);
  const invalid = (): Error => expressionError(`The format string is invalid: '${fmt}'`, expression);
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i] as string;
    if (ch === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const match = /^\{(\d+)\}/.exec(fmt.slice(i));
      if (!match) throw invalid();
      const index = Number(match[1]);
      if (index + 1 >= args.length) {
        throw expressionError(`The format string references more arguments than were supplied: '${fmt}'`, expression);
      }
      out += toStringValue(args[index + 1]);
      i += match[0].length;
    } else if (ch === '}') {
      if (fmt[i + 1] !== '}') throw invalid();
      out += '}';
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
