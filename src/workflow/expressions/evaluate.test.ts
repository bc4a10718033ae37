import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../../core/errors.ts';
import { evaluate, evaluateCondition, interpolate } from './index.ts';
import type { ExpressionContext } from './index.ts';

const ctx: ExpressionContext = {
  values: {
    github: { ref: 'refs/heads/main', event_name: 'push', event: { commits: [{ id: 'a', author: { name: 'Ann' } }, { id: 'b', author: { name: 'Bob' } }] } },
    env: { NAME: 'World', EMPTY: '', COUNT: '3' },
    matrix: { os: ['linux', 'mac'], include: [{ os: 'linux', v: [1, 2] }, { os: 'mac', v: [3] }] },
    steps: { 'my-step': { outputs: { result: 'ok' }, conclusion: 'success' } },
    nothing: null,
  },
};
const ev = (expression: string, context: ExpressionContext = ctx): unknown => evaluate(expression, context);

function assertInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSlipwayError(err, 'WORKFLOW_INVALID'), String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

void test('literals', () => {
  assert.equal(ev('null'), null);
  assert.equal(ev('true'), true);
  assert.equal(ev('false'), false);
  assert.equal(ev('42'), 42);
  assert.equal(ev('-9.5'), -9.5);
  assert.equal(ev('0xff'), 255);
  assert.equal(ev('1e3'), 1000);
  assert.equal(ev('2.5E-1'), 0.25);
  assert.equal(ev('.5'), 0.5);
  assert.ok(Number.isNaN(ev('NaN')));
  assert.equal(ev('Infinity'), Number.POSITIVE_INFINITY);
  assert.equal(ev("'it''s'"), "it's");
  assert.equal(ev("''"), '');
  assert.equal(ev("'a''''b'"), "a''b");
});

void test('property access: dot, index, case-insensitive, missing is null', () => {
  assert.equal(ev('github.ref'), 'refs/heads/main');
  assert.equal(ev('GITHUB.REF'), 'refs/heads/main');
  assert.equal(ev("github['event_name']"), 'push');
  assert.equal(ev('steps.my-step.outputs.result'), 'ok');
  assert.equal(ev('github.nope'), null);
  assert.equal(ev('github.nope.deeper'), null);
  assert.equal(ev('nothing.x'), null);
  assert.equal(ev('github.ref.length'), null, 'no properties on strings');
  assert.equal(ev('matrix.os[1]'), 'mac');
  assert.equal(ev("matrix.os['1']"), 'mac');
  assert.equal(ev('matrix.os[1.7]'), 'mac', 'indexes are floored');
  assert.equal(ev('matrix.os[5]'), null);
  assert.equal(ev('matrix.os[-1]'), null);
  assert.equal(ev('github.event.commits[0].author.name'), 'Ann');
  assert.equal(ev("fromJSON('{\"a\":{\"b\":[10,20]}}').a.b[1]"), 20);
});

void test('.* filters map over arrays and objects', () => {
  assert.deepEqual(ev('github.event.commits.*.id'), ['a', 'b']);
  assert.deepEqual(ev('github.event.commits.*.author.name'), ['Ann', 'Bob']);
  assert.deepEqual(ev('github.event.commits[*].id'), ['a', 'b']);
  assert.deepEqual(ev('matrix.include.*.v.*'), [1, 2, 3], 'a second .* flattens');
  assert.deepEqual(ev('matrix.include.*.v[0]'), [1, 3]);
  assert.deepEqual(ev('matrix.include.*.missing'), [], 'items without the key are dropped');
  assert.deepEqual(ev('steps.*.conclusion'), ['success'], 'objects give their values');
  assert.deepEqual(ev('github.ref.*'), [], 'a primitive gives an empty list');
  assert.equal(ev("contains(github.event.commits.*.author.name, 'bob')"), true);
  assert.equal(ev("join(matrix.include.*.os, '+')"), 'linux+mac');
});

void test('! && || short-circuit and return the deciding operand', () => {
  assert.equal(ev('!true'), false);
  assert.equal(ev('!0'), true);
  assert.equal(ev("!''"), true);
  assert.equal(ev('!!github'), true);
  assert.equal(ev("env.EMPTY || 'fallback'"), 'fallback');
  assert.equal(ev("env.NAME || 'fallback'"), 'World');
  assert.equal(ev("env.NAME && 'yes'"), 'yes');
  assert.equal(ev("env.EMPTY && 'yes'"), '');
  assert.equal(ev('nothing && fromJSON(nothing)'), null, 'the right side is not evaluated');
  assert.equal(ev("true || fromJSON('')"), true);
  assert.equal(ev('false || 0 || null'), null);
});

void test('comparisons with GitHub coercions', () => {
  assert.equal(ev('null == 0'), true);
  assert.equal(ev("'abc' == 'ABC'"), true);
  assert.equal(ev("'abc' != 'ABC'"), false);
  assert.equal(ev('NaN == NaN'), false);
  assert.equal(ev('NaN != NaN'), true);
  assert.equal(ev("'' == 0"), true);
  assert.equal(ev("'3' == 3"), true);
  assert.equal(ev('env.COUNT > 2'), true);
  assert.equal(ev('true == 1'), true);
  assert.equal(ev("true == 'true'"), false);
  assert.equal(ev('1 < 2'), true);
  assert.equal(ev('2 <= 2'), true);
  assert.equal(ev('3 > 2'), true);
  assert.equal(ev('2 >= 3'), false);
  assert.equal(ev("'a' < 'B'"), true);
  assert.equal(ev('null <= 0'), true);
  assert.equal(ev('NaN <= NaN'), false);
  assert.equal(ev('NaN < 1 || NaN > 1 || NaN >= 1'), false);
  assert.equal(ev('github == github'), true, 'same object');
  assert.equal(ev("fromJSON('[]') == fromJSON('[]')"), false, 'different arrays');
});

void test('precedence: ! over comparison over equality over && over ||', () => {
  assert.equal(ev('!1 == 0'), true, '(!1) == 0');
  assert.equal(ev('1 < 2 == true'), true, '(1 < 2) == true');
  assert.equal(ev('true || false && false'), true);
  assert.equal(ev('(true || false) && false'), false);
  assert.equal(ev("1 == 1 && 'x'"), 'x');
  assert.equal(ev('1 < 2 < 3'), true, 'left-assoc: (true) < 3');
});

void test('contains, startsWith, endsWith are case-insensitive', () => {
  assert.equal(ev("contains('Hello World', 'WORLD')"), true);
  assert.equal(ev("contains('abc', 'd')"), false);
  assert.equal(ev("contains(matrix.os, 'LINUX')"), true);
  assert.equal(ev("contains(matrix.os, 'bsd')"), false);
  assert.equal(ev("contains(fromJSON('[1, 2]'), '2')"), true, 'array items compare loosely');
  assert.equal(ev('contains(123, 2)'), true, 'numbers are cast to strings');
  assert.equal(ev('contains(github, 1)'), false);
  assert.equal(ev("contains('abc', github)"), false);
  assert.equal(ev("startsWith(github.ref, 'REFS/heads/')"), true);
  assert.equal(ev("startsWith('abc', 'b')"), false);
  assert.equal(ev("endsWith(github.ref, '/MAIN')"), true);
  assert.equal(ev("endsWith('abc', 'b')"), false);
  assert.equal(ev('startsWith(github, 1)'), false);
  assert.equal(ev('endsWith(true, 1)'), false);
  assert.equal(ev("endsWith(true, 'E')"), true);
});

void test('format', () => {
  assert.equal(ev("format('{{0}} {0}', 'x')"), '{0} x');
  assert.equal(ev("format('Hello {0} {1} {0}', 'a', 'b')"), 'Hello a b a');
  assert.equal(ev("format('{0}{1}{2}{3}', null, true, 1.50, github)"), 'true1.5Object');
  assert.equal(ev("format('}}{{')"), '}{');
  assert.equal(ev("format('no args')"), 'no args');
  assertInvalid(() => ev("format('{1}', 'a')"), /references more arguments/);
  assertInvalid(() => ev("format('{', 'a')"), /format string is invalid/);
  assertInvalid(() => ev("format('}', 'a')"), /format string is invalid/);
  assertInvalid(() => ev("format('{x}', 'a')"), /format string is invalid/);
});

void test('join, toJSON, fromJSON', () => {
  assert.equal(ev('join(matrix.os)'), 'linux,mac');
  assert.equal(ev("join(matrix.os, ' | ')"), 'linux | mac');
  assert.equal(ev("join('single', '-')"), 'single');
  assert.equal(ev('join(github)'), '');
  assert.equal(ev("join(fromJSON('[1, true, null]'))"), '1,true,');
  assert.equal(ev('toJSON(matrix.os)'), '[\n  "linux",\n  "mac"\n]');
  assert.equal(ev("toJSON('a')"), '"a"');
  assert.equal(ev('toJSON(null)'), 'null');
  assert.deepEqual(ev('fromJSON(\'{"a": {"b": [1, {"c": null}]}, "d": true}\')'), { a: { b: [1, { c: null }] }, d: true });
  assert.equal(ev("fromJSON('{\"a\": {\"b\": [1, {\"c\": \"deep\"}]}}').a.b[1].c"), 'deep');
  assert.equal(ev("fromJSON('3')"), 3);
  assert.equal(ev("fromJSON('true')"), true);
  assert.equal(ev("fromJSON(toJSON(matrix)).os[0]"), 'linux');
  assertInvalid(() => ev("fromJSON('{bad')"), /not valid JSON/);
  assertInvalid(() => ev("fromJSON('')"), /not valid JSON/);
});

void test('function names are case-insensitive', () => {
  assert.equal(ev("STARTSWITH('abc', 'a')"), true);
  assert.equal(ev("tojson('a')"), '"a"');
});

void test('status functions read context.status', () => {
  assert.equal(ev('success()'), true, 'no status means success');
  assert.equal(ev('always()'), true);
  const failed: ExpressionContext = { values: {}, status: { success: false, failure: true, cancelled: false } };
  assert.equal(ev('success()', failed), false);
  assert.equal(ev('failure()', failed), true);
  assert.equal(ev('cancelled()', failed), false);
  const cancelled: ExpressionContext = { values: {}, status: { success: false, failure: false, cancelled: true } };
  assert.equal(ev('cancelled()', cancelled), true);
});

void test('hashFiles uses the function the context supplies', () => {
  const withHash: ExpressionContext = { values: {}, hashFiles: (patterns) => `hash:${patterns.join('|')}` };
  assert.equal(ev("hashFiles('a', '**/b')", withHash), 'hash:a|**/b');
  assertInvalid(() => ev("hashFiles('a')"), /not available/);
});

void test('errors name the symbol and its position', () => {
  assertInvalid(() => ev('github.ref =='), /Unexpected end of expression\. Located at position 14/);
  assertInvalid(() => ev('1 = 1'), /Unexpected symbol: '='\. Located at position 3 within expression: 1 = 1/);
  assertInvalid(() => ev("'open"), /Unexpected symbol: ''open'\. Located at position 1/);
  assertInvalid(() => ev('a & b'), /Unexpected symbol/);
  assertInvalid(() => ev('github.'), /Unexpected end of expression/);
  assertInvalid(() => ev('(1'), /Unexpected end/);
  assertInvalid(() => ev('1 2'), /Unexpected symbol: '2'\. Located at position 3/);
  assertInvalid(() => ev('"double"'), /Unexpected symbol/);
  assertInvalid(() => ev('1.2.3'), /Unexpected symbol: '1\.2\.3'/);
  assertInvalid(() => ev('nope(1)'), /Unrecognized function: 'nope'\. Located at position 1/);
  assertInvalid(() => ev("contains('a')"), /Too few parameters supplied: 'contains'/);
  assertInvalid(() => ev('success(1)'), /Too many parameters supplied: 'success'/);
  assertInvalid(() => ev('true && foo.bar'), /Unrecognized named-value: 'foo'\. Located at position 9/);
  assertInvalid(() => ev(''), /An expression was expected/);
  assertInvalid(() => ev(`${'('.repeat(60)}1${')'.repeat(60)}`), /max expression depth/);
});

void test('interpolate: null is empty, objects are JSON, numbers as GitHub prints them', () => {
  assert.equal(interpolate('Hello ${{ env.NAME }}!', ctx), 'Hello World!');
  assert.equal(interpolate('[${{ nothing }}]', ctx), '[]');
  assert.equal(interpolate('${{ 1.50 }} ${{ true }} ${{ 1e20 }}', ctx), '1.5 true 1E+20');
  assert.equal(interpolate('${{ matrix.os }}', ctx), '[\n  "linux",\n  "mac"\n]');
  assert.equal(interpolate("${{ format('}}') }}x", ctx), '}x', "'}}' inside a string does not close");
  assert.equal(interpolate('no expressions ${ { x }}', ctx), 'no expressions ${ { x }}');
  assertInvalid(() => interpolate('echo ${{ github.ref', ctx), /not closed/);
  assertInvalid(() => interpolate('echo ${{ }}', ctx), /An expression was expected/);
});

void test('evaluateCondition adds success() unless a status function is used', () => {
  const failed: ExpressionContext = { values: ctx.values, status: { success: false, failure: true, cancelled: false } };
  assert.equal(evaluateCondition(undefined, ctx), true);
  assert.equal(evaluateCondition(undefined, failed), false);
  assert.equal(evaluateCondition('  ', failed), false);
  assert.equal(evaluateCondition("github.ref == 'refs/heads/main'", ctx), true);
  assert.equal(evaluateCondition("github.ref == 'refs/heads/main'", failed), false, 'implicit success()');
  assert.equal(evaluateCondition('${{ always() }}', failed), true);
  assert.equal(evaluateCondition('failure()', failed), true);
  assert.equal(evaluateCondition("failure() && github.event_name == 'push'", failed), true);
  assert.equal(evaluateCondition('!cancelled()', failed), true);
  assert.equal(evaluateCondition('${{ false }}', ctx), false);
  assert.equal(evaluateCondition('${{ github.ref }} == x', ctx), true, 'a mixed template is a non-empty string');
  assert.equal(evaluateCondition('true', failed, 'always()'), true, 'another default');
  assertInvalid(() => evaluateCondition('github.ref ==', ctx), /Unexpected end/);
});
