// `runs-on` expressions become real labels before a runner is looked for: a literal
// matrix's per leg, `github` and `inputs` when the run is created; the runner is given the
// labels it was matched on (so it maps them to their images).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setup } from './test-support.ts';

test('runs-on from the matrix, inputs and github is evaluated when the run is created', async () => {
  const s = await setup();
  const run = await s.createRun(`on: workflow_dispatch
jobs:
  legs:
    strategy: {matrix: {os: [linux, arm64]}}
    runs-on: ['\${{ matrix.os }}', 'pool-\${{ inputs.pool }}']
    steps: [{run: make}]
  ref:
    runs-on: "\${{ github.ref_name == 'main' && 'big' || 'small' }}"
    steps: [{run: make}]
`, { inputs: { pool: 'fast' } });
  const jobs = await s.jobsByKey(run.id);
  const labels = Object.fromEntries(Object.entries(jobs).map(([key, j]) => [key, JSON.parse(j.runs_on) as string[]]));
  assert.deepEqual(labels, { 'legs (linux)': ['linux', 'pool-fast'], 'legs (arm64)': ['arm64', 'pool-fast'], ref: ['big'] });
  const claim = await s.scheduler.claim('r1', ['big']);
  assert.deepEqual(claim?.spec.runsOn, ['big'], 'the runner gets the evaluated labels');
});
