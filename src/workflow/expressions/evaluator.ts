// Evaluates a parsed expression against a context. Property access follows the runner:
// missing keys and access on primitives give null, array indexes are floored numbers,
// `.*` makes a "filtered array" whose further dereferences map over (and flatten) items.
import { defaultStatus } from './context.ts';
import type { ExpressionContext } from './context.ts';
import { expressionError } from './expression-error.ts';
import * as fn from './functions.ts';
import type { Expr } from './parser.ts';
import { walkExpression } from './parser.ts';
import {
  foldCase, greaterOrEqual, greaterThan, isPrimitive, kindOf, lessOrEqual, lessThan, looseEquals,
  toBoolean, toNumber, toStringValue,
} from './values.ts';

/** Arrays made by `.*`: dereferencing one applies to each of its items. */
const filtered = new WeakSet<unknown[]>();

function filteredArray(items: unknown[]): unknown[] {
  filtered.add(items);
  return items;
}

/** The own key that `key` names, exact first, then ignoring case; undefined when absent. */
function findKey(object: object, key: string): string | undefined {
  if (Object.hasOwn(object, key)) return key;
  const folded = foldCase(key);
  return Object.keys(object).find((k) => foldCase(k) === folded);
}

function getProperty(object: object, key: string): unknown {
  const found = findKey(object, key);
  return found === undefined ? undefined : (object as Record<string, unknown>)[found];
}

/** Every named value the expression uses must exist: GitHub checks this before evaluating. */
export function checkNamedValues(expr: Expr, context: ExpressionContext, expression: string): void {
  walkExpression(expr, (node) => {
    if (node.kind === 'context' && findKey(context.values, node.name) === undefined) {
      throw expressionError(`Unrecognized named-value: '${node.name}'`, expression, node.position);
    }
  });
}

interface Index {
  star: boolean;
  /** Key for objects: the index as a string, when it is a primitive. */
  key?: string;
  /** Position for arrays: the index as a number, floored, when it is finite and ≥ 0. */
  position?: number;
}

function toIndex(value: unknown): Index {
  const n = toNumber(value);
  return {
    star: false,
    key: isPrimitive(value) ? toStringValue(value) : undefined,
    position: Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined,
  };
}

function access(target: unknown, index: Index): unknown {
  const kind = kindOf(target);
  if (kind === 'array') {
    const array = target as unknown[];
    if (filtered.has(array)) return filteredAccess(array, index);
    if (index.star) return filteredArray([...array]);
    if (index.position !== undefined && index.position < array.length) return array[index.position] ?? null;
    return null;
  }
  if (kind === 'object') {
    const object = target as object;
    if (index.star) return filteredArray(Object.values(object));
    if (index.key !== undefined) return getProperty(object, index.key) ?? null;
    return null;
  }
  return index.star ? filteredArray([]) : null;
}

function filteredAccess(items: unknown[], index: Index): unknown[] {
  const result: unknown[] = [];
  for (const item of items) {
    const kind = kindOf(item);
    if (kind === 'object') {
      if (index.star) result.push(...Object.values(item as object));
      else if (index.key !== undefined) {
        const value = getProperty(item as object, index.key);
        if (value !== undefined) result.push(value);
      }
    } else if (kind === 'array') {
      const array = item as unknown[];
      if (index.star) result.push(...array);
      else if (index.position !== undefined && index.position < array.length) result.push(array[index.position]);
    }
  }
  return filteredArray(result);
}

export function evaluateExpr(expr: Expr, context: ExpressionContext, expression: string): unknown {
  const run = (node: Expr): unknown => {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'context':
        return getProperty(context.values, node.name) ?? null;
      case 'index': {
        const index = node.index === '*' ? { star: true } : toIndex(run(node.index));
        return access(run(node.target), index);
      }
      case 'not':
        return !toBoolean(run(node.operand));
      case 'logical': {
        // Short-circuit, and yield the deciding operand itself (`a || 'default'`).
        const left = run(node.left);
        if (node.op === '&&' ? !toBoolean(left) : toBoolean(left)) return left;
        return run(node.right);
      }
      case 'compare':
        return compare(node.op, run(node.left), run(node.right));
      case 'call':
        return call(node.name, node.args);
    }
  };

  const call = (name: string, argNodes: Expr[]): unknown => {
    const status = context.status ?? defaultStatus;
    switch (name) {
      case 'success':
        return status.success;
      case 'failure':
        return status.failure;
      case 'cancelled':
        return status.cancelled;
      case 'always':
        return true;
      default:
        break;
    }
    const args = argNodes.map(run);
    switch (name) {
      case 'contains':
        return fn.contains(args[0], args[1]);
      case 'startsWith':
        return fn.startsWith(args[0], args[1]);
      case 'endsWith':
        return fn.endsWith(args[0], args[1]);
      case 'format':
        return fn.format(args, expression);
      case 'join':
        return fn.join(args[0], args[1]);
      case 'toJSON':
        return fn.toJSON(args[0]);
      case 'fromJSON':
        return fn.fromJSON(args[0], expression);
      case 'hashFiles':
        if (!context.hashFiles) throw expressionError('hashFiles() is not available here', expression);
        return context.hashFiles(args.map(toStringValue));
      default:
        throw expressionError(`Unrecognized function: '${name}'`, expression);
    }
  };

  return run(expr);
}

function compare(op: string, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return looseEquals(left, right);
    case '!=':
      return !looseEquals(left, right);
    case '<':
      return lessThan(left, right);
    case '<=':
      return lessOrEqual(left, right);
    case '>':
      return greaterThan(left, right);
    default:
      return greaterOrEqual(left, right);
  }
}
