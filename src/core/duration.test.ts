import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.ts';

test('durations: a number and a unit, within the units a caller allows', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('1h', ['ms', 's', 'm']), undefined);
  for (const bad of ['', '5', 'soon', '1d', '-1s', '1 s']) assert.equal(parseDuration(bad), undefined, bad);
  assert.deepEqual([86_400_000, 90_000, 120_000, 8000, 1500].map((ms) => formatDuration(ms)), ['24h', '90s', '2m', '8s', '1500ms']);
});
