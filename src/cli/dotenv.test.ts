import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDotenv } from './dotenv.ts';

test('dotenv: comments, export, unquoted, single- and double-quoted values, escapes and multi-line values', () => {
  const text = [
    '# a comment',
    '',
    'PLAIN=hello world   # trailing comment',
    'export EXPORTED=yes',
    "SINGLE='no \\n escapes # here'",
    'DOUBLE="line1\\nline2\\t\\"q\\" \\\\ \\$HOME"',
    'EMPTY=',
    'EQUALS=a=b=c',
    'HASH=a#b',
    'MULTI="first',
    'second"',
    'CRLF=x\r',
  ].join('\n');
  assert.deepEqual(parseDotenv(text, 'f.env'), {
    PLAIN: 'hello world',
    EXPORTED: 'yes',
    SINGLE: 'no \\n escapes # here',
    DOUBLE: 'line1\nline2\t"q" \\ $HOME',
    EMPTY: '',
    EQUALS: 'a=b=c',
    HASH: 'a#b',
    MULTI: 'first\nsecond',
    CRLF: 'x',
  });
});

test('dotenv: errors name the file and line', () => {
  const cases: [string, RegExp][] = [
    ['OK=1\nnot a pair', /^f\.env:2: expected NAME=value$/],
    ['1BAD=x', /^f\.env:1: "1BAD" is not a variable name/],
    ['A="open\nstill open', /^f\.env:1: the value of A has no closing "/],
    ["A='x' y", /^f\.env:1: unexpected "y" after the closing quote/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseDotenv(text, 'f.env'), { message });
});
