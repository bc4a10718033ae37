import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupAlive, processTreeOf, signalGroup, terminateWithGrace } from './kill.ts';
import type { KillSignal } from './kill.ts';
import { spawnProcess } from './spawn-process.ts';

test('a process that ignores SIGTERM gets SIGKILL once the grace period is over', async () => {
  // The shell says "ready" once its trap is set, so SIGTERM cannot arrive before it.
  const child = spawnProcess(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']);
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  const sent: KillSignal[] = [];
  const tree = await processTreeOf(child.pid);
  await terminateWithGrace({ terminate: async (s) => (sent.push(s), tree.terminate(s)), isAlive: () => tree.isAlive() }, { graceMs: 200 });
  assert.deepEqual(sent, ['SIGTERM', 'SIGKILL']);
  assert.equal((await child.closed).exitCode, 137);
  assert.equal(groupAlive(child.pid), false);
});

test('SIGTERM is enough for a process that heeds it: no SIGKILL follows', async () => {
  const child = spawnProcess(['sleep', '100']);
  const sent: KillSignal[] = [];
  const tree = await processTreeOf(child.pid);
  await terminateWithGrace({ terminate: async (s) => (sent.push(s), tree.terminate(s)), isAlive: () => tree.isAlive() }, { graceMs: 5000 });
  assert.deepEqual(sent, ['SIGTERM']);
  assert.equal((await child.closed).exitCode, 143);
});

test('signalling a group that is gone, or a process that never started, is false, not an error', async () => {
  const child = spawnProcess(['true']);
  await child.closed;
  assert.equal(signalGroup(child.pid, 'SIGTERM'), false);
  assert.equal(groupAlive(child.pid), false);
  // Pid 0 is what a process that never started has; kill(-0) would hit Slipway's own group.
  assert.equal(signalGroup(0, 0), false);
});
