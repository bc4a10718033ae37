import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyValueFile, takeFile } from './file-commands.ts';

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

test('takeFile reads and empties a regular file, and refuses one a step swapped for a symlink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-files-'));
  writeFileSync(join(dir, 'env'), 'A=1\n');
  assert.equal(takeFile(join(dir, 'env')), 'A=1\n');
  assert.equal(readFileSync(join(dir, 'env'), 'utf8'), '');
  assert.equal(takeFile(join(dir, 'gone')), '');
  writeFileSync(join(dir, 'precious'), 'the-admin-token\n');
  symlinkSync(join(dir, 'precious'), join(dir, 'output'));
  assert.throws(() => takeFile(join(dir, 'output')), /output was replaced by a symbolic link/);
  assert.equal(readFileSync(join(dir, 'precious'), 'utf8'), 'the-admin-token\n', 'the link target is neither read nor emptied');
});
