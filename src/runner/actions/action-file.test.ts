import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadCompositeAction } from './action-file.ts';
import { isSlipwayError } from '../../core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-action-'));
after(() => rmSync(root, { recursive: true, force: true }));

function action(dir: string, file: string, text: string): string {
  const d = join(root, dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, file), text);
  return d;
}

test('a composite action: inputs with defaults and required, outputs, steps', () => {
  const dir = action('greet', 'action.yml', `
name: Greet
description: says hello
inputs:
  who:
    description: whom
    required: true
  greeting:
    default: Hello \${{ github.actor }}
  bare:
outputs:
  line:
    description: what was said
    value: \${{ steps.say.outputs.line }}
runs:
  using: composite
  steps:
    - id: say
      run: echo "line=\${{ inputs.greeting }} \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
      shell: bash
      working-directory: sub
      env: { A: b }
    - uses: ./nested
      with: { x: y }
      if: always()
`);
  const a = loadCompositeAction(dir, root);
  assert.equal(a.name, 'Greet');
  assert.equal(a.file, 'greet/action.yml');
  assert.deepEqual(a.inputs, { who: { required: true }, greeting: { required: false, default: 'Hello ${{ github.actor }}' }, bare: { required: false } });
  assert.deepEqual(a.outputs, { line: '${{ steps.say.outputs.line }}' });
  assert.equal(a.steps.length, 2);
  assert.equal(a.steps[0]!.id, 'say');
  assert.equal(a.steps[0]!.shell, 'bash');
  assert.equal(a.steps[0]!.workingDirectory, 'sub');
  assert.deepEqual(a.steps[0]!.env, { A: 'b' });
  assert.equal(a.steps[1]!.uses, './nested');
  assert.equal(a.steps[1]!.if, 'always()');
});

test('action.yaml is found too', () => {
  const dir = action('yaml', 'action.yaml', 'runs:\n  using: composite\n  steps: []\n');
  assert.equal(loadCompositeAction(dir, root).file, 'yaml/action.yaml');
});

test('every problem is reported with file:line:col: run without shell, other runtimes, unknown keys', () => {
  const dir = action('bad', 'action.yml', `inputs:
  a:
    requird: true
runs:
  using: node20
  steps:
    - run: echo hi
`);
  assert.throws(() => loadCompositeAction(dir, root), (err) => {
    assert.ok(isSlipwayError(err, 'WORKFLOW_INVALID'));
    assert.match(err.message, /bad\/action\.yml:3:5: inputs\.a\.requird: unknown key/);
    assert.match(err.message, /bad\/action\.yml:5:10: runs\.using: found `node20`; Slipway runs local actions with `using: composite`/);
    assert.match(err.message, /bad\/action\.yml:7:7: runs\.steps\[0\]: `shell` is required/);
    return true;
  });
});

test('a directory without action.yml is an error that names it', () => {
  mkdirSync(join(root, 'empty'));
  assert.throws(() => loadCompositeAction(join(root, 'empty'), root), /no action\.yml or action\.yaml in empty/);
});
