import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armStepStop } from './step-stop.ts';

void test('a cancel that came before the watch was armed kills at once; one after, when it comes; the timeout, when it passes', async () => {
  let kills = 0;
  const early = armStepStop(undefined, AbortSignal.abort(), () => kills++);
  assert.equal(kills, 1, 'already cancelled: killed at once');
  assert.equal(early.cancelled, true);
  early.disarm();

  const later = new AbortController();
  const watched = armStepStop(undefined, later.signal, () => kills++);
  assert.equal(kills, 1);
  later.abort();
  assert.equal(kills, 2);
  assert.equal(watched.cancelled, true);
  assert.equal(watched.timedOut, false);
  watched.disarm();

  const slow = armStepStop(10, undefined, () => kills++);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(kills, 3);
  assert.deepEqual([slow.timedOut, slow.cancelled], [true, false]);
  const disarmed = armStepStop(10, undefined, () => kills++);
  disarmed.disarm();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(kills, 3, 'a disarmed watch kills nothing');
});
