import assert from 'node:assert/strict';
import { test } from 'node:test';
import { teardownAll } from './teardown-all.ts';

test('every part runs even when an earlier one fails, and every failure is reported', async () => {
  const ran: string[] = [];
  const part = (name: string, fails: boolean) => async () => {
    ran.push(name);
    if (fails) throw new Error(`${name} failed`);
  };
  await assert.rejects(teardownAll([part('container', true), part('services', false)]), { message: 'container failed' });
  await assert.rejects(teardownAll([part('a', true), part('b', true)]), (err: AggregateError) => err.errors.length === 2 && err.message === 'a failed; b failed');
  await teardownAll([part('quiet', false)]);
  assert.deepEqual(ran, ['container', 'services', 'a', 'b', 'quiet']);
});
