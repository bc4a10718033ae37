// Differential test: our evaluator against GitHub's own (@actions/expressions, the
// evaluator of GitHub's language services), on the cases where GitHub's semantics are
// awkward. GitHub's package is a dev dependency only: it is the oracle, not the engine
// (see docs/architecture.md, "Expressions").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer, Parser, Evaluator, data } from '@actions/expressions';
import { evaluate } from './index.ts';
import { kindOf, toJson, toStringValue } from './values.ts';

const contexts = {
  github: { sha: 'abc123', ref: 'refs/heads/main', event: { commits: [{ id: 1, message: 'Fix' }, { id: 2, message: 'Add' }], number: 7 } },
  env: { NAME: 'World', EMPTY: '', ZERO: '0' },
  matrix: { os: 'linux', node: 20 },
};

function reference(expression: string): string {
  const lexed = new Lexer(expression).lex();
  const ctx = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  const expr = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
  const value = new Evaluator(expr, ctx).evaluate();
  return value.kind === data.Kind.Array || value.kind === data.Kind.Dictionary ? JSON.stringify(JSON.parse(JSON.stringify(value, data.replacer))) : value.coerceString();
}

function ours(expression: string): string {
  const value = evaluate(expression, { values: contexts });
  const kind = kindOf(value);
  return kind === 'array' || kind === 'object' ? JSON.stringify(JSON.parse(toJson(value))) : toStringValue(value);
}

const cases = [
  // literals and numbers
  'null', 'true', '1', '-1.5', '0x1F', '1e3', "'it''s'",
  // equality and coercion
  'null == 0', "null == ''", 'null == false', "'' == 0", "'abc' == 'ABC'", "'1' == 1", "'0x10' == 16", "' 1 ' == 1",
  'true == 1', "'true' == true", 'NaN == NaN', "'abc' == NaN", '1 != 2', "'a' != 'A'",
  // comparison
  "'a' < 'b'", "'B' > 'a'", '1 < 2', "'10' > 9", "'abc' < 5", 'null < 1', 'true > false',
  // logic returns operands
  "'' || 'fallback'", "'x' && 'y'", '0 && 1', 'null || 0', '!0', "!''", "!'false'", '!!matrix.os',
  // property access, case-insensitive, missing
  'github.SHA', "github['ref']", 'github.event.commits[1].message', 'github.missing', 'github.event.commits[5]', "env['name']",
  // filters
  'github.event.commits.*.message', 'github.event.commits.*.id',
  // functions
  "contains('Hello World', 'world')", "contains(github.event.commits.*.message, 'fix')", "startsWith('Hello', 'he')", "endsWith('Hello', 'LO')",
  "format('{0} {1}!', 'Hello', env.NAME)", "format('{{0}} {0}', 'x')", "format('{{{0}}}', 1)", "join(github.event.commits.*.message, ', ')", "join('abc')",
  'toJSON(matrix)', "fromJSON('{\"a\":[1,{\"b\":null}]}').a[1]", "fromJSON('[1,2]')", "fromJSON('true')", "fromJSON('\"s\"')", 'toJSON(null)',
  // precedence
  "1 == 1 && 2 == 3 || 'x'", "!(1 == 2) && matrix.node >= 20", "github.event.number == 7 && env.ZERO == 0",
];

for (const expression of cases) {
  test(`same value as GitHub's evaluator: ${expression}`, () => {
    assert.equal(ours(expression), reference(expression));
  });
}
