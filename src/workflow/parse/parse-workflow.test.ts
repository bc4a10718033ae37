import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../core/errors.ts';
import { parseWorkflow } from './parse-workflow.ts';
import { readFileSync } from 'node:fs';

function parse(text: string) {
  const { workflow, diagnostics } = parseWorkflow('.slipway/workflows/ci.yml', text);
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  assert.ok(workflow);
  return workflow;
}

const oneJob = (extra = '', step = '- run: make') => `on: push
jobs:
  build:
    runs-on: local
${extra}
    steps:
      ${step}
`;

void test('defaults: name from the file, timeout 360, job name from id, step names as GitHub shows them', () => {
  const wf = parse(oneJob('', '- run: |\n\n          npm ci\n          npm test\n      - uses: actions/checkout@v4\n      - name: Named\n        run: x'));
  assert.equal(wf.name, '.slipway/workflows/ci.yml');
  const job = wf.jobs[0];
  assert.ok(job);
  assert.equal(job.name, 'build');
  assert.equal(job.timeoutMinutes, 360);
  assert.equal(job.continueOnError, false);
  assert.deepEqual(job.runsOn, ['local']);
  assert.deepEqual(job.pos, { file: '.slipway/workflows/ci.yml', line: 3, column: 3 });
  assert.deepEqual(job.steps.map((s) => s.name), ['Run npm ci', 'Run actions/checkout@v4', 'Named']);
  assert.deepEqual(job.steps.map((s) => s.index), [0, 1, 2]);
  assert.deepEqual(job.steps[1]?.pos, { file: '.slipway/workflows/ci.yml', line: 11, column: 9 });
});

void test('env and with values are stringified as GitHub does', () => {
  const wf = parse(`on: push
env: { A: 1.10, B: true, C: null, D: 0x10, E: '007', F: 1e20 }
jobs:
  build:
    runs-on: local
    steps:
      - uses: x/y@v1
        with: { n: 3, flag: false }
        env: { Z: 0.5 }
`);
  assert.deepEqual(wf.env, { A: '1.1', B: 'true', C: '', D: '16', E: '007', F: '1E+20' });
  assert.deepEqual(wf.jobs[0]?.steps[0]?.with, { n: '3', flag: 'false' });
  assert.deepEqual(wf.jobs[0]?.steps[0]?.env, { Z: '0.5' });
});

void test('on: a name, a list, or a map', () => {
  assert.deepEqual(parse(oneJob()).on, { push: {} });
  assert.deepEqual(parse(oneJob().replace('on: push', 'on: [push, workflow_dispatch, pull_request]')).on, { push: {}, workflowDispatch: { inputs: {} } });
  assert.deepEqual(parse(oneJob().replace('on: push', 'on: pull_request')).on, {}, 'known events are ignored');
  const wf = parse(oneJob().replace('on: push', "on:\n  push:\n    branches: main\n    tags: ['v*']\n    paths-ignore: [docs/**]\n  workflow_dispatch:\n    inputs: {x: {}}"));
  assert.deepEqual(wf.on, { push: { branches: ['main'], tags: ['v*'], pathsIgnore: ['docs/**'] }, workflowDispatch: { inputs: { x: { type: 'string', required: false } } } });
});

void test('if: the ${{ }} wrapper is removed; booleans become text', () => {
  const wf = parse(oneJob("    if: ${{ github.ref == 'refs/heads/main' }}", "- if: false\n        run: a\n      - if: success() || failure()\n        run: b"));
  assert.equal(wf.jobs[0]?.if, "github.ref == 'refs/heads/main'");
  assert.equal(wf.jobs[0]?.steps[0]?.if, 'false');
  assert.equal(wf.jobs[0]?.steps[1]?.if, 'success() || failure()');
});

void test('job fields: needs as a string, container as a string or map, defaults, outputs, expressions', () => {
  const wf = parse(`on: push
defaults: { run: { shell: bash } }
jobs:
  a:
    runs-on: [self-hosted, linux]
    container: node:24
    steps: [run: a]
  b:
    name: Job B
    needs: a
    runs-on: local
    timeout-minutes: 5
    continue-on-error: \${{ matrix.experimental }}
    defaults: { run: { working-directory: app } }
    container: { image: alpine, env: { X: 1 }, options: --rm }
    outputs: { v: '\${{ steps.s.outputs.v }}' }
    env: { J: j }
    steps:
      - id: s
        run: echo
        shell: sh
        working-directory: sub
        timeout-minutes: \${{ 2 }}
        continue-on-error: true
`);
  const [a, b] = wf.jobs;
  assert.deepEqual(wf.defaults, { shell: 'bash' });
  assert.deepEqual(a?.container, { image: 'node:24', env: {} });
  assert.deepEqual(a?.runsOn, ['self-hosted', 'linux']);
  assert.equal(b?.name, 'Job B');
  assert.deepEqual(b?.needs, ['a']);
  assert.equal(b?.timeoutMinutes, 5);
  assert.equal(b?.continueOnError, false);
  assert.equal(b?.continueOnErrorExpression, '${{ matrix.experimental }}');
  assert.deepEqual(b?.defaults, { workingDirectory: 'app' });
  assert.deepEqual(b?.container, { image: 'alpine', env: { X: '1' }, options: '--rm' });
  assert.deepEqual(b?.outputs, { v: '${{ steps.s.outputs.v }}' });
  assert.deepEqual(b?.env, { J: 'j' });
  const step = b?.steps[0];
  assert.equal(step?.id, 's');
  assert.equal(step?.shell, 'sh');
  assert.equal(step?.workingDirectory, 'sub');
  assert.equal(step?.timeoutMinutes, undefined);
  assert.equal(step?.timeoutMinutesExpression, '${{ 2 }}');
  assert.equal(step?.continueOnError, true);
});

void test('every error is reported in one pass, in file order', () => {
  const { workflow, diagnostics } = parseWorkflow('w.yml', `on: pushh
jobs:
  a:
    runs-on: local
    needs: [b, zz]
    steps: [{run: x, uses: o/y@v1}]
  b:
    runs-on: local
    needs: a
    step: []
`);
  assert.equal(workflow, undefined);
  assert.deepEqual(diagnostics.map(formatDiagnostic), [
    'w.yml:1:5: on: unknown event `pushh`; did you mean `push`?',
    'w.yml:5:13: jobs.a.needs: jobs form a cycle through `needs`: a → b → a; expected needs without loops',
    'w.yml:5:16: jobs.a.needs: unknown job `zz`; expected one of: a, b',
    'w.yml:6:22: jobs.a.steps[0].uses: found both `run` and `uses`; a step has exactly one of them',
    'w.yml:10:5: jobs.b.step: unknown key `step`; did you mean `steps`?',
  ]);
});

void test('empty and non-mapping files', () => {
  assert.deepEqual(parseWorkflow('e.yml', '').diagnostics.map(formatDiagnostic), [
    'e.yml:1:1: expected a mapping with `on` and `jobs` at the top of the file, found nothing (null)',
  ]);
  assert.match(formatDiagnostic(parseWorkflow('e.yml', 'on: push\n---\njobs: {}\n').diagnostics[0]!), /second YAML document/);
});

void test('the 9-level alias bomb fails fast with an error naming the limit', () => {
  const bomb = readFileSync(fileURLToPath(new URL('../../../test/fixtures/workflows/invalid/alias-bomb.yml', import.meta.url)), 'utf8');
  const start = performance.now();
  const { workflow, diagnostics } = parseWorkflow('bomb.yml', bomb);
  const ms = performance.now() - start;
  assert.ok(ms < 100, `took ${ms} ms`);
  assert.equal(workflow, undefined);
  assert.match(formatDiagnostic(diagnostics[0]!), /^bomb\.yml:7:10: invalid YAML: .* exceeds the limit of 10000 nodes reached through aliases$/);
});
