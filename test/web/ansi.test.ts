import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnsi, stripAnsi } from '../../web/src/log/ansi.ts';

test('colours and resets become classed segments', () => {
  assert.deepEqual(parseAnsi('a\x1b[31mred\x1b[0m b'), [
    { text: 'a', cls: '' },
    { text: 'red', cls: 'fg1' },
    { text: ' b', cls: '' },
  ]);
});

test('bold bright, 256 and truecolour', () => {
  assert.deepEqual(parseAnsi('\x1b[1;92mok'), [{ text: 'ok', cls: 'fg10 b' }]);
  assert.deepEqual(parseAnsi('\x1b[38;5;196mx'), [{ text: 'x', cls: '', fg: 'rgb(255,0,0)' }]);
  assert.deepEqual(parseAnsi('\x1b[48;2;1;2;3my'), [{ text: 'y', cls: '', bg: 'rgb(1,2,3)' }]);
});

test('other escapes are stripped', () => {
  assert.equal(stripAnsi('\x1b[2Kprogress\x1b]0;title\x07 done'), 'progress done');
});
