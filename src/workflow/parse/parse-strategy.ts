// `jobs.<id>.strategy` (docs.github.com "Workflow syntax" §jobs.<job_id>.strategy): a
// literal matrix is expanded here already so its mistakes (unknown exclude keys, no legs,
// more than 256) are reported with the other diagnostics; matrices with `${{ }}` are
// expanded by the scheduler once their needs have finished.
import { isSlipwayError } from '../../core/errors.ts';
import { soleExpression } from '../expressions/index.ts';
import { expandMatrix, hasExpressions } from '../plan/matrix.ts';
import type { MatrixSpec, StrategySpec } from '../model.ts';
import { hint } from '../yaml/suggest.ts';
import type { MapNode, Reader } from '../yaml/reader.ts';
import { checkExpressions, readBoolean, readPositiveNumber } from './read-values.ts';
import { checkKeys, child, describe, getPair, readMap } from '../yaml/reader.ts';
import type { YNode } from '../yaml/node.ts';

export function readStrategy(r: Reader, node: YNode, path: string, jobId: string): StrategySpec | undefined {
  const map = readMap(r, node, path, 'a mapping with `matrix`, `fail-fast` and/or `max-parallel`');
  if (!map) return undefined;
  checkKeys(r, map, path, ['matrix', 'fail-fast', 'max-parallel']);
  // docs: "fail-fast ... defaults to true".
  const strategy: StrategySpec = { failFast: true };
  const failFast = getPair(map, 'fail-fast');
  if (failFast) {
    const f = readBoolean(r, failFast.value, child(path, 'fail-fast'));
    if (f.expression !== undefined) strategy.failFastExpression = f.expression;
    else strategy.failFast = f.value;
  }
  const maxParallel = getPair(map, 'max-parallel');
  if (maxParallel) {
    const m = readPositiveNumber(r, maxParallel.value, child(path, 'max-parallel'));
    if (m.value !== undefined && !Number.isInteger(m.value)) {
      r.error(maxParallel.value, child(path, 'max-parallel'), `expected a whole number, found \`${m.value}\``);
    }
    if (m.value !== undefined) strategy.maxParallel = m.value;
    if (m.expression !== undefined) strategy.maxParallelExpression = m.expression;
  }
  const matrix = getPair(map, 'matrix');
  if (matrix) strategy.matrix = readMatrix(r, matrix.value, child(path, 'matrix'), jobId);
  return strategy;
}

function readMatrix(r: Reader, node: YNode, path: string, jobId: string): MatrixSpec | string | undefined {
  const expression = readExpression(r, node, path);
  if (expression !== undefined) return expression;
  const map = readMap(r, node, path, 'a mapping of axes (with optional `include` and `exclude`) or a `${{ }}` expression');
  if (!map) return undefined;
  const spec: MatrixSpec = { axes: {}, include: [], exclude: [] };
  const before = r.diagnostics.length;
  for (const pair of map.pairs) {
    const p = child(path, pair.key);
    if (pair.key === 'include' || pair.key === 'exclude') {
      const e = readExpression(r, pair.value, p);
      if (e !== undefined) {
        spec[pair.key === 'include' ? 'includeExpression' : 'excludeExpression'] = e;
        continue;
      }
      spec[pair.key] = readEntries(r, pair.value, p);
      continue;
    }
    const e = readExpression(r, pair.value, p);
    if (e !== undefined) {
      spec.axes[pair.key] = e;
    } else if (pair.value.kind !== 'seq') {
      r.error(pair.value, p, `expected a list of values for matrix axis \`${pair.key}\` (or a \`\${{ }}\` expression), found ${describe(pair.value)}`);
    } else if (pair.value.items.length === 0) {
      r.error(pair.value, p, `expected at least one value for matrix axis \`${pair.key}\`, found an empty list`);
    } else {
      spec.axes[pair.key] = pair.value.items.map((item, i) => toValue(r, item, child(p, i)));
    }
  }
  checkExpansion(r, map, path, jobId, spec, r.diagnostics.length > before);
  return spec;
}

/** A literal matrix must expand; one with expressions or errors is checked as far as it is known. */
function checkExpansion(r: Reader, map: MapNode, path: string, jobId: string, spec: MatrixSpec, hadErrors: boolean): void {
  if (hadErrors || hasExpressions(spec)) {
    if (spec.excludeExpression !== undefined) return;
    const excludes = getPair(map, 'exclude')?.value;
    // Axes that failed to parse are still axes: only their values were wrong.
    const axes = map.pairs.map((p) => p.key).filter((k) => k !== 'include' && k !== 'exclude');
    if (excludes?.kind !== 'seq') return;
    excludes.items.forEach((item, i) => {
      if (item.kind !== 'map') return;
      for (const pair of item.pairs) {
        if (axes.includes(pair.key)) continue;
        r.error(pair.keyPos, child(child(child(path, 'exclude'), i), pair.key),
          `exclude key \`${pair.key}\` is not an axis of the matrix; ${hint(pair.key, axes)}`);
      }
    });
    return;
  }
  try {
    expandMatrix(jobId, spec);
  } catch (err) {
    if (!isSlipwayError(err)) throw err;
    r.error(map, path, err.message);
  }
}

function readEntries(r: Reader, node: YNode, path: string): Record<string, unknown>[] {
  if (node.kind !== 'seq') {
    r.error(node, path, `expected a list of mappings (or a \`\${{ }}\` expression), found ${describe(node)}`);
    return [];
  }
  const out: Record<string, unknown>[] = [];
  node.items.forEach((item, i) => {
    if (item.kind !== 'map') {
      r.error(item, child(path, i), `expected a mapping of axis names to values, found ${describe(item)}`);
      return;
    }
    out.push(toValue(r, item, child(path, i)) as Record<string, unknown>);
  });
  return out;
}

/** A `${{ }}` that is the whole value, or undefined (with its syntax checked). */
function readExpression(r: Reader, node: YNode, path: string): string | undefined {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || !node.value.includes('${{')) return undefined;
  checkExpressions(r, node, path, node.value);
  try {
    if (soleExpression(node.value) !== undefined) return node.value;
  } catch {
    return node.value; // reported by checkExpressions
  }
  r.error(node, path, `expected a list or a single \`\${{ }}\` expression, found text around an expression`);
  return node.value;
}

/** YAML → JSON value; strings with `${{ }}` are kept as text and checked. */
function toValue(r: Reader, node: YNode, path: string): unknown {
  if (node.kind === 'map') return Object.fromEntries(node.pairs.map((p) => [p.key, toValue(r, p.value, child(path, p.key))]));
  if (node.kind === 'seq') return node.items.map((item, i) => toValue(r, item, child(path, i)));
  if (typeof node.value === 'string') checkExpressions(r, node, path, node.value);
  return node.value;
}
