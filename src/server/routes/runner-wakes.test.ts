import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunnerWakes } from './runner-wakes.ts';

/** Starts a wait for each runner; `woken()` lists those whose wait ended so far, in order. */
function waiting(wakes: RunnerWakes, runners: string[], timeoutMs = 10_000) {
  const stop = new AbortController();
  const ended: string[] = [];
  const done = runners.map((r) => wakes.wait(r, timeoutMs, stop.signal).then(() => void ended.push(r)));
  return { woken: async () => (await new Promise((r) => setImmediate(r)), [...ended]), stop: async () => (stop.abort(), await Promise.all(done)) };
}

void test('news of work wakes one waiter, the longest waiting; a claim that won wakes no one (the scheduler sends news when it saw more)', async () => {
  const wakes = new RunnerWakes();
  for (const r of ['a', 'b', 'c']) wakes.claimed(r, ['linux'], false);
  const w = waiting(wakes, ['a', 'b', 'c']);
  wakes.workAvailable();
  assert.deepEqual(await w.woken(), ['a']);
  wakes.claimed('a', ['linux'], true);
  assert.deepEqual(await w.woken(), ['a'], 'a win alone wakes no one');
  wakes.workAvailable();
  assert.deepEqual(await w.woken(), ['a', 'b']);
  wakes.claimed('b', ['linux'], false);
  assert.deepEqual(await w.woken(), ['a', 'b'], 'found nothing: no other runner of the same labels is woken');
  await w.stop();
});

void test('a claim that found nothing wakes the longest waiting runner of each other label set, once until the next news', async () => {
  const wakes = new RunnerWakes();
  wakes.claimed('a', ['linux'], false);
  wakes.claimed('b', ['linux'], false);
  wakes.claimed('g1', ['gpu', 'linux'], false);
  wakes.claimed('g2', ['linux', 'gpu'], false);
  const w = waiting(wakes, ['b', 'g1', 'g2', 'fresh']);
  wakes.workAvailable();
  assert.deepEqual(await w.woken(), ['b']);
  wakes.claimed('b', ['linux'], false);
  assert.deepEqual(await w.woken(), ['b', 'g1', 'fresh'], 'one of the gpu set (labels in any order), and one that never claimed');
  wakes.claimed('g1', ['gpu', 'linux'], false);
  assert.deepEqual(await w.woken(), ['b', 'g1', 'fresh'], 'every label set tried: nobody is woken back and forth');
  wakes.workAvailable();
  assert.deepEqual(await w.woken(), ['b', 'g1', 'fresh', 'g2'], 'new news wakes the longest waiting again');
  await w.stop();
});

void test('a wait ends at its timeout or when its runner leaves, and then takes no wake-up', async () => {
  const wakes = new RunnerWakes();
  const left = new AbortController();
  const leaving = wakes.wait('gone', 10_000, left.signal);
  const timing = wakes.wait('slow', 20, new AbortController().signal);
  left.abort();
  await leaving;
  await timing;
  const w = waiting(wakes, ['next']);
  wakes.workAvailable();
  assert.deepEqual(await w.woken(), ['next']);
  await w.stop();
});
