// Matrix expansion (docs.github.com "Running variations of jobs in a workflow"): the
// planner uses it for literal matrices and the scheduler for matrices that are expressions
// over `needs`, once those jobs have finished (resolveMatrix, then expandMatrix).
import { SlipwayError } from '../../core/errors.ts';
import { numberToString } from '../expressions/values.ts';
import type { MatrixSpec } from '../model.ts';

/** docs: "A matrix will generate a maximum of 256 jobs per workflow run." */
export const maxMatrixLegs = 256;

interface MatrixLeg {
  /** `id (v1, v2)`, as GitHub names legs. */
  key: string;
  values: Record<string, unknown>;
}

interface ExpandOptions {
  /** Raise GitHub's 256-leg cap (benchmarks); defaults to maxMatrixLegs. */
  maxLegs?: number;
}

/**
 * Cartesian product of the axes (first axis varies slowest), minus every combination that
 * matches all keys of an `exclude` entry, then `include`: each entry extends every original
 * combination whose original values it does not change, or becomes a combination of its own
 * when it extends none (docs "Expanding or adding matrix configurations"). Throws
 * SlipwayError('WORKFLOW_INVALID') for unknown exclude keys, no legs, or too many.
 */
export function expandMatrix(jobId: string, matrix: MatrixSpec, options: ExpandOptions = {}): MatrixLeg[] {
  const problem = checkSpec(matrix);
  if (problem) throw new SlipwayError('WORKFLOW_INVALID', problem);
  const axes = Object.entries(matrix.axes) as [string, unknown[]][];
  const max = options.maxLegs ?? maxMatrixLegs;

  let originals: Record<string, unknown>[] = axes.length > 0 ? [{}] : [];
  for (const [name, values] of axes) {
    const next: Record<string, unknown>[] = [];
    for (const combo of originals) for (const v of values) next.push({ ...combo, [name]: v });
    originals = next;
    // Exclusions apply later, so a huge product is an error before it fills memory.
    if (originals.length > max * 64) throw tooMany(jobId, originals.length, max);
  }
  originals = originals.filter((combo) => !matrix.exclude.some((ex) => matchesAll(combo, ex)));

  const legs = originals.map((combo) => ({ ...combo }));
  const added: Record<string, unknown>[] = [];
  for (const entry of matrix.include) {
    let extended = false;
    originals.forEach((original, i) => {
      const keepsOriginals = Object.entries(entry).every(([k, v]) => !(k in original) || deepEqual(original[k], v));
      if (!keepsOriginals) return;
      Object.assign(legs[i] as Record<string, unknown>, entry);
      extended = true;
    });
    if (!extended) added.push({ ...entry });
  }
  const all = [...legs, ...added];
  if (all.length === 0) {
    throw new SlipwayError('WORKFLOW_INVALID', `matrix of job \`${jobId}\` produces no jobs (every combination is excluded)`);
  }
  if (all.length > max) throw tooMany(jobId, all.length, max);
  return nameLegs(jobId, all);
}

/** A matrix given as a value (e.g. `fromJSON(needs.x.outputs.m)`) → MatrixSpec, or an error message. */
export function matrixFromValue(value: unknown): MatrixSpec | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected the matrix to be an object of axes (with optional include and exclude), found ${kind(value)}`;
  }
  const spec: MatrixSpec = { axes: {}, include: [], exclude: [] };
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'include' || key === 'exclude') {
      if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) {
        return `expected matrix \`${key}\` to be a list of objects, found ${kind(v)}`;
      }
      spec[key] = v as Record<string, unknown>[];
    } else if (Array.isArray(v)) {
      spec.axes[key] = v;
    } else {
      return `expected matrix axis \`${key}\` to be a list of values, found ${kind(v)}`;
    }
  }
  return checkSpec(spec) ?? spec;
}

/**
 * Evaluates every `${{ }}` in a matrix (the whole matrix, an axis, include/exclude, or a
 * value) through `evaluate`, which gets the text as written and returns the value (a sole
 * `${{ x }}` should yield x's value, not its string). Returns the spec or an error message.
 */
export function resolveMatrix(matrix: MatrixSpec | string, evaluate: (text: string) => unknown): MatrixSpec | string {
  if (typeof matrix === 'string') return matrixFromValue(deepEvaluate(evaluate(matrix), evaluate));
  const value: Record<string, unknown> = {};
  for (const [name, axis] of Object.entries(matrix.axes)) value[name] = deepEvaluate(axis, evaluate);
  value.include = deepEvaluate(matrix.includeExpression ?? matrix.include, evaluate);
  value.exclude = deepEvaluate(matrix.excludeExpression ?? matrix.exclude, evaluate);
  return matrixFromValue(value);
}

/** True when the matrix can only be expanded after evaluating expressions (at run time). */
export function hasExpressions(matrix: MatrixSpec | string): boolean {
  if (typeof matrix === 'string') return true;
  if (matrix.includeExpression !== undefined || matrix.excludeExpression !== undefined) return true;
  return containsExpression([matrix.axes, matrix.include, matrix.exclude]);
}

function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${{');
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsExpression);
  return false;
}

function deepEvaluate(value: unknown, evaluate: (text: string) => unknown): unknown {
  if (typeof value === 'string') return value.includes('${{') ? evaluate(value) : value;
  if (Array.isArray(value)) return value.map((v) => deepEvaluate(v, evaluate));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepEvaluate(v, evaluate)]));
  }
  return value;
}

/** What GitHub rejects before expanding: empty axes, unevaluated axes, exclude keys that name no axis. */
function checkSpec(matrix: MatrixSpec): string | undefined {
  const names = Object.keys(matrix.axes);
  for (const [name, values] of Object.entries(matrix.axes)) {
    if (typeof values === 'string') return `matrix axis \`${name}\` is an expression that has not been evaluated yet`;
    if (values.length === 0) return `matrix axis \`${name}\` has no values; expected at least one`;
  }
  if (names.length === 0 && matrix.include.length === 0) {
    return 'matrix has no axes and no include entries; expected at least one of them';
  }
  for (const entry of matrix.exclude) {
    for (const key of Object.keys(entry)) {
      if (!names.includes(key)) return `matrix exclude key \`${key}\` is not an axis of the matrix; expected one of: ${names.join(', ')}`;
    }
  }
  return undefined;
}

// "An excluded configuration only has to be a partial match for it to be excluded."
function matchesAll(combo: Record<string, unknown>, exclude: Record<string, unknown>): boolean {
  return Object.entries(exclude).every(([k, v]) => deepEqual(combo[k], v));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * GitHub's display name: the job id and the leg's values in order, nested objects and lists
 * flattened to their leaf values. Legs that would share a name get ` #2`, ` #3` so keys stay unique.
 */
function nameLegs(jobId: string, combos: Record<string, unknown>[]): MatrixLeg[] {
  const seen = new Map<string, number>();
  return combos.map((values) => {
    const leaves: string[] = [];
    flatten(values, leaves);
    let key = leaves.length > 0 ? `${jobId} (${leaves.join(', ')})` : jobId;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) key = `${key} #${n}`;
    return { key, values };
  });
}

function flatten(value: unknown, out: string[]): void {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) flatten(v, out);
  // Whole numbers print the same either way; the G15 formatting is only needed for the rest.
  else if (typeof value === 'number') out.push(Number.isSafeInteger(value) ? String(value) : numberToString(value));
  else if (value !== null && value !== undefined) out.push(String(value));
}

function tooMany(jobId: string, count: number, max: number): SlipwayError {
  return new SlipwayError('WORKFLOW_INVALID', `matrix of job \`${jobId}\` produces ${count} jobs; expected at most ${max}`);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (\`${String(value)}\`)`;
}
