import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedSerial, Serial } from './serial.ts';

test('Serial runs work in call order, one at a time; a failure reaches its caller only and the queue goes on', async () => {
  const serial = new Serial();
  const seen: string[] = [];
  let running = 0;
  const step = (name: string, fail = false) => serial.run(async () => {
    running++;
    assert.equal(running, 1, 'no overlap');
    await new Promise((r) => setTimeout(r, 5));
    seen.push(name);
    running--;
    if (fail) throw new Error(`${name} failed`);
    return name;
  });
  const a = step('a');
  const b = step('b', true);
  const c = step('c');
  assert.equal(await a, 'a');
  await assert.rejects(b, /b failed/);
  assert.equal(await c, 'c');
  assert.deepEqual(seen, ['a', 'b', 'c']);
});

test('KeyedSerial orders work per key, lets keys run side by side, and survives a failure', async () => {
  const keyed = new KeyedSerial();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const x1 = keyed.run('x', async () => { await gate; seen.push('x1'); throw new Error('x1 failed'); });
  const x2 = keyed.run('x', async () => { seen.push('x2'); });
  await keyed.run('y', async () => { seen.push('y'); });
  assert.deepEqual(seen, ['y'], 'y did not wait for x');
  release();
  await assert.rejects(x1, /x1 failed/);
  await x2;
  assert.deepEqual(seen, ['y', 'x1', 'x2']);
});
