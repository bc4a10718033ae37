import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValueFile } from './file-commands.ts';

test('NAME=value lines, values may contain =', () => {
  assert.deepEqual(parseKeyValueFile('A=1\nB=x=y\n\n'), { A: '1', B: 'x=y' });
});

test('heredoc values keep their lines', () => {
  assert.deepEqual(parseKeyValueFile('M<<EOF\nline 1\nline 2\nEOF\nN=2\n'), { M: 'line 1\nline 2', N: '2' });
});

test('errors name the bad line', () => {
  assert.throws(() => parseKeyValueFile('nonsense\n'), /invalid line "nonsense"/);
  assert.throws(() => parseKeyValueFile('M<<EOF\nx\n'), /missing delimiter "EOF" for M/);
});
