import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DigestUse } from './digest-use.ts';

const d = 'sha256:' + 'a'.repeat(64);

test('sweep refuses a held digest, and one used since the collection began or within the grace period', async () => {
  let now = 1_000_000;
  const use = new DigestUse(() => now);
  const since = use.begin();
  const release = await use.hold([d]);
  assert.equal(await use.sweep(d, since, 0, async () => 'deleted'), undefined, 'held');
  release();
  assert.equal(await use.sweep(d, since, 0, async () => 'deleted'), undefined, 'used after the collection began');
  now += 500;
  assert.equal(await use.sweep(d, use.begin(), 1000, async () => 'deleted'), undefined, 'used 500 ms ago, grace 1 s');
  now += 600;
  assert.equal(await use.sweep(d, use.begin(), 1000, async () => 'deleted'), 'deleted');
});

test('a hold taken while a deletion runs waits for it; no deletion starts while held', async () => {
  const use = new DigestUse();
  let finish!: () => void;
  const steps: string[] = [];
  const sweeping = use.sweep(d, use.begin(), 0, () => new Promise<void>((resolve) => (finish = () => (steps.push('deleted'), resolve()))));
  const holding = use.hold([d]).then((release) => (steps.push('held'), release));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(steps, [], 'the hold waits for the deletion under way');
  finish();
  await sweeping;
  const release = await holding;
  assert.deepEqual(steps, ['deleted', 'held']);
  assert.equal(await use.sweep(d, use.begin(), 0, async () => 'again'), undefined);
  release();
  await use.forget(0);
  assert.equal(await use.sweep(d, use.begin(), 0, async () => 'again'), 'again', 'forgotten once past the grace period');
});
