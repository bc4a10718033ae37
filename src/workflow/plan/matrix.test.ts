import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import { expandMatrix, matrixFromValue, resolveMatrix } from './matrix.ts';
import type { MatrixSpec } from '../model.ts';

const spec = (axes: MatrixSpec['axes'], include: MatrixSpec['include'] = [], exclude: MatrixSpec['exclude'] = []): MatrixSpec => ({ axes, include, exclude });
const keys = (m: MatrixSpec): string[] => expandMatrix('j', m).map((l) => l.key);

void test('cartesian product in axis order, first axis slowest (docs example)', () => {
  assert.deepEqual(keys(spec({ version: [10, 12, 14], os: ['ubuntu', 'windows'] })), [
    'j (10, ubuntu)', 'j (10, windows)', 'j (12, ubuntu)', 'j (12, windows)', 'j (14, ubuntu)', 'j (14, windows)',
  ]);
});

void test('exclude removes every combination matching all of its keys (partial match)', () => {
  const m = spec({ os: ['mac', 'linux'], node: [14, 16], env: ['a', 'b'] }, [], [{ os: 'mac', node: 14 }, { env: 'b', os: 'linux' }]);
  assert.deepEqual(keys(m), ['j (mac, 16, a)', 'j (mac, 16, b)', 'j (linux, 14, a)', 'j (linux, 16, a)']);
});

void test('include extends originals it does not change, else adds a leg; added values may be overwritten', () => {
  const legs = expandMatrix('j', spec({ fruit: ['apple', 'pear'], animal: ['cat', 'dog'] }, [
    { color: 'green' }, { color: 'pink', animal: 'cat' }, { fruit: 'apple', shape: 'circle' }, { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' },
  ]));
  assert.deepEqual(legs.map((l) => l.values), [
    { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
    { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
    { fruit: 'pear', animal: 'cat', color: 'pink' },
    { fruit: 'pear', animal: 'dog', color: 'green' },
    { fruit: 'banana' },
    { fruit: 'banana', animal: 'cat' },
  ]);
});

void test('include-only matrices, object values flattened in names, duplicate names made unique', () => {
  assert.deepEqual(keys(spec({}, [{ os: 'linux', cfg: { cc: 'gcc', v: 1.10 } }, { os: 'mac' }, { os: 'mac' }])), ['j (linux, gcc, 1.1)', 'j (mac)', 'j (mac) #2']);
  assert.deepEqual(keys(spec({ b: [true, false] })), ['j (true)', 'j (false)']);
});

void test('errors: more than 256 legs (cap adjustable), nothing left, unknown exclude keys, empty axes', () => {
  const big = spec({ a: Array.from({ length: 10 }, (_, i) => i), b: Array.from({ length: 10 }, (_, i) => i), c: [1, 2, 3] });
  assert.throws(() => expandMatrix('j', big), (e) => isSlipwayError(e, 'WORKFLOW_INVALID') && /produces 300 jobs; expected at most 256/.test(e.message));
  assert.equal(expandMatrix('j', big, { maxLegs: 1000 }).length, 300);
  assert.throws(() => expandMatrix('j', spec({ a: [1] }, [], [{ a: 1 }])), /produces no jobs/);
  assert.throws(() => expandMatrix('j', spec({ a: [1] }, [], [{ b: 1 }])), /exclude key `b` is not an axis/);
  assert.throws(() => expandMatrix('j', spec({ a: [] })), /axis `a` has no values/);
  assert.throws(() => expandMatrix('j', spec({ a: '${{ x }}' })), /not been evaluated/);
});

void test('matrixFromValue turns an evaluated object into a spec or says what is wrong', () => {
  assert.deepEqual(matrixFromValue({ os: ['a'], include: [{ x: 1 }], exclude: [] }), spec({ os: ['a'] }, [{ x: 1 }]));
  assert.match(matrixFromValue([1]) as string, /found a list/);
  assert.match(matrixFromValue({ os: 'linux' }) as string, /axis `os` to be a list of values, found a string/);
  assert.match(matrixFromValue({ include: {} }) as string, /`include` to be a list of objects/);
  assert.match(matrixFromValue({}) as string, /no axes and no include/);
});

void test('resolveMatrix evaluates the whole matrix, axes, include and nested values', () => {
  const values: Record<string, unknown> = { '${{ m }}': { os: ['x', 'y'] }, '${{ axis }}': [1, 2], '${{ inc }}': [{ extra: true }], 'v-${{ n }}': 'v-3' };
  const evaluate = (text: string): unknown => values[text];
  assert.deepEqual(resolveMatrix('${{ m }}', evaluate), spec({ os: ['x', 'y'] }));
  const m: MatrixSpec = { axes: { a: '${{ axis }}', b: ['v-${{ n }}'] }, include: [], exclude: [], includeExpression: '${{ inc }}' };
  const resolved = resolveMatrix(m, evaluate) as MatrixSpec;
  assert.deepEqual(expandMatrix('j', resolved).map((l) => l.key), ['j (1, v-3, true)', 'j (2, v-3, true)']);
});
