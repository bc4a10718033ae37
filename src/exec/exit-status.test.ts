import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCodeOf } from './exit-status.ts';

test('an exit code is kept; a signal becomes 128 + its number, as shells report it', () => {
  assert.equal(exitCodeOf(0, null), 0);
  assert.equal(exitCodeOf(3, null), 3);
  assert.equal(exitCodeOf(null, 'SIGINT'), 130);
  assert.equal(exitCodeOf(null, 'SIGKILL'), 137);
  assert.equal(exitCodeOf(null, 'SIGTERM'), 143);
});
