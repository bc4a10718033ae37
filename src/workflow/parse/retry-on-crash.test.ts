// `retry-on-crash` (a Slipway extension, docs/workflow.md): a literal boolean on a job.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from '../../core/errors.ts';
import { parseWorkflow } from './parse-workflow.ts';

const parse = (jobExtra: string) =>
  parseWorkflow('.slipway/workflows/ci.yml', `on: push\njobs:\n  t:\n    runs-on: local\n${jobExtra}    steps:\n      - run: echo hi\n`);

void test('retry-on-crash: false marks the job not safe to repeat; true and absent leave it retried', () => {
  const no = parse('    retry-on-crash: false\n');
  assert.deepEqual(no.diagnostics, []);
  assert.equal(no.workflow?.jobs[0]?.retryOnCrash, false);
  for (const extra of ['    retry-on-crash: true\n', '']) {
    const yes = parse(extra);
    assert.deepEqual(yes.diagnostics, []);
    assert.equal(yes.workflow?.jobs[0]?.retryOnCrash, undefined);
  }
});

void test('retry-on-crash takes only a literal true or false, and not on a reusable-workflow call', () => {
  for (const value of ['"no"', '${{ matrix.safe }}', '0']) {
    const { diagnostics } = parse(`    retry-on-crash: ${value}\n`);
    const found = diagnostics.map(formatDiagnostic);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, /^\.slipway\/workflows\/ci\.yml:5:21: jobs\.t\.retry-on-crash: expected true or false, found /);
  }
  const call = parseWorkflow('.slipway/workflows/ci.yml', 'on: push\njobs:\n  c:\n    uses: ./.github/workflows/x.yml\n    retry-on-crash: false\n');
  assert.match(call.diagnostics.map(formatDiagnostic).join('\n'), /jobs\.c\.retry-on-crash: `retry-on-crash` is not allowed in a job that calls a reusable workflow/);
});
