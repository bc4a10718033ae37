import assert from 'node:assert/strict';
import { test } from 'node:test';
import { styleText } from 'node:util';
import { duration, table } from './output.ts';

// The header is bold on a terminal; compare what a reader sees.
// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

void test('table pads every column but the last to its widest cell, two spaces apart', () => {
  const out = table(['RUN', 'STATUS', 'NOTE'], [['demo#1', 'success', 'x'], ['demo#10', 'queued', 'a longer note']]);
  assert.deepEqual(visible(out).split('\n'), [
    'RUN      STATUS   NOTE',
    'demo#1   success  x',
    'demo#10  queued   a longer note',
  ]);
});

void test('colour codes do not count towards a column width', () => {
  const red = styleText('red', 'failure', { validateStream: false });
  assert.notEqual(red, 'failure');
  const out = table(['STATUS', 'RUN'], [[red, 'demo#1'], ['success', 'demo#2']]);
  const lines = out.split('\n');
  assert.equal(lines[1], `${red}  demo#1`, 'the coloured cell keeps its codes and gets no extra padding');
  assert.deepEqual(visible(out).split('\n'), ['STATUS   RUN', 'failure  demo#1', 'success  demo#2']);
});

void test('missing cells and an empty table', () => {
  assert.deepEqual(visible(table(['A', 'B', 'C'], [['1'], ['22', '3', '4']])).split('\n'), ['A   B  C', '1', '22  3  4']);
  assert.equal(visible(table(['ONLY'], [])), 'ONLY');
});

void test('duration: ms, seconds with one decimal, then minutes and seconds', () => {
  assert.equal(duration(null, null), '');
  assert.equal(duration('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.250Z'), '250ms');
  assert.equal(duration('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:12.340Z'), '12.3s');
  assert.equal(duration('2024-01-01T00:00:00.000Z', '2024-01-01T00:02:05.000Z'), '2m5s');
  // Rounding carries into the minutes instead of printing 60 seconds.
  assert.equal(duration('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:59.970Z'), '1m0s');
  assert.equal(duration('2024-01-01T00:00:00.000Z', '2024-01-01T00:01:59.600Z'), '2m0s');
});
