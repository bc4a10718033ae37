import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executorFactory, labelTarget } from './create-executor.ts';
import type { JobSpec } from '../workflow/model.ts';

const spec = (runsOn: string[], container?: JobSpec['container']): JobSpec => ({
  id: 'j', name: 'j', needs: [], runsOn, env: {}, defaults: {}, timeoutMinutes: 1, continueOnError: false,
  outputs: {}, steps: [], services: {}, with: {}, pos: { file: 'w.yml', line: 1, column: 1 }, ...(container ? { container } : {}),
});

test('a job runs in the image of the first of its runs-on labels the map knows; unknown labels get the built-in image', () => {
  const labels = { 'self-hosted': 'builtin', gpu: 'cuda:12', big: 'host' };
  assert.equal(labelTarget(['gpu', 'self-hosted'], labels), 'cuda:12');
  assert.equal(labelTarget(['linux'], labels), 'builtin');
  assert.equal(labelTarget(['big'], labels), 'host');
});

test('jobs get a container executor unless their label maps to the host; container: wins over labels', () => {
  const make = executorFactory({ namePrefix: 't', labels: { 'self-hosted': 'builtin', big: 'host' } });
  assert.equal(make(spec(['self-hosted']), 'a').kind, 'container');
  assert.equal(make(spec(['big']), 'b').kind, 'shell');
  assert.equal(make(spec(['big'], { image: 'busybox', env: {} }), 'c').kind, 'container');
});
