import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Workflow } from '../workflow/model.ts';
import { parseWorkflow } from '../workflow/parse/parse-workflow.ts';
import { labelWarnings } from './lint-labels.ts';

const parse = (file: string, text: string): Workflow => {
  const { workflow, diagnostics } = parseWorkflow(file, text);
  assert.deepEqual(diagnostics, []);
  return workflow as Workflow;
};

test('matrix legs, runner groups and called workflows are checked with the labels they plan to', () => {
  const ci = parse('ci.yml', `on: push
jobs:
  legs:
    strategy: {matrix: {os: [linux, gpu]}}
    runs-on: \${{ matrix.os }}
    steps: [{run: make}]
  grouped:
    runs-on: {group: big-iron, labels: linux}
    steps: [{run: make}]
  later:
    runs-on: \${{ inputs.pool }}
    steps: [{run: make}]
  call:
    uses: ./.github/workflows/r.yml
`);
  const called = { '.github/workflows/r.yml': parse('.github/workflows/r.yml', `on: workflow_call
jobs:
  inner:
    runs-on: [self-hosted, arm64]
    steps: [{run: make}]
`) };
  const warnings = labelWarnings(ci, ['linux', 'self-hosted'], called);
  assert.deepEqual(warnings.map((w) => `${w.file}:${w.line} ${w.path} ${w.message.slice(0, w.message.indexOf(' (configured'))}`), [
    'ci.yml:3 jobs.legs.runs-on no runner label matches [gpu]',
    'ci.yml:7 jobs.grouped.runs-on no runner label matches [big-iron] (runner group `big-iron` is a label its runners carry)',
    '.github/workflows/r.yml:3 jobs.inner.runs-on no runner label matches [arm64]',
  ]);
});
