import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanUpAfter } from './clean-up-after.ts';

void describe('cleanUpAfter', () => {
  void it('returns the first error when the cleanup succeeds', async () => {
    const first = new Error('first');
    let cleaned = false;
    assert.equal(await cleanUpAfter(first, async () => (cleaned = true)), first);
    assert.equal(cleaned, true);
  });

  void it('reports a failing cleanup beside the first error', async () => {
    const first = new Error('first');
    const second = new Error('second');
    const err = await cleanUpAfter(first, () => Promise.reject(second));
    assert.ok(err instanceof AggregateError);
    assert.deepEqual(err.errors, [first, second]);
    assert.equal(err.message, 'first (and cleaning up failed: second)');
  });
});
