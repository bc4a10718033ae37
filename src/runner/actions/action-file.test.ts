import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadAction } from './action-file.ts';
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
  const a = loadAction(dir, root);
  assert.equal(a.name, 'Greet');
  assert.equal(a.file, 'greet/action.yml');
  assert.deepEqual(a.inputs, { who: { required: true }, greeting: { required: false, default: 'Hello ${{ github.actor }}' }, bare: { required: false } });
  assert.deepEqual(a.outputs, { line: '${{ steps.say.outputs.line }}' });
  assert.equal(a.runs.using, 'composite');
  const steps = a.runs.using === 'composite' ? a.runs.steps : [];
  assert.equal(steps.length, 2);
  assert.equal(steps[0]!.id, 'say');
  assert.equal(steps[0]!.shell, 'bash');
  assert.equal(steps[0]!.workingDirectory, 'sub');
  assert.deepEqual(steps[0]!.env, { A: 'b' });
  assert.equal(steps[1]!.uses, './nested');
  assert.equal(steps[1]!.if, 'always()');
});

test('action.yaml is found too', () => {
  const dir = action('yaml', 'action.yaml', 'runs:\n  using: composite\n  steps: []\n');
  assert.equal(loadAction(dir, root).file, 'yaml/action.yaml');
});

test('every problem is reported with file:line:col: run without shell, unknown keys', () => {
  const dir = action('bad', 'action.yml', `inputs:
  a:
    requird: true
runs:
  using: composite
  steps:
    - run: echo hi
`);
  assert.throws(() => loadAction(dir, root), (err) => {
    assert.ok(isSlipwayError(err, 'WORKFLOW_INVALID'));
    assert.match(err.message, /bad\/action\.yml:3:5: inputs\.a\.requird: unknown key/);
    assert.match(err.message, /bad\/action\.yml:7:7: runs\.steps\[0\]: `shell` is required/);
    return true;
  });
});

test('a JavaScript action: main, pre, post and their conditions; outputs without value', () => {
  const dir = action('js', 'action.yml', `
name: JS
inputs:
  who: { default: "\${{ github.actor }}" }
outputs:
  said:
    description: what it said
runs:
  using: node20
  main: dist/index.js
  pre: dist/setup.js
  pre-if: runner.os == 'Linux'
  post: dist/cleanup.js
`);
  const a = loadAction(dir, root);
  assert.deepEqual(a.runs, { using: 'node20', main: 'dist/index.js', pre: 'dist/setup.js', post: 'dist/cleanup.js', preIf: "runner.os == 'Linux'", postIf: undefined });
  assert.deepEqual(a.outputs, { said: '' });
  for (const using of ['node12', 'node16', 'node24']) {
    const d = action(`js-${using}`, 'action.yml', `runs:\n  using: ${using}\n  main: index.js\n`);
    assert.equal(loadAction(d, root).runs.using, using);
  }
});

test('a Docker action: Dockerfile or docker:// image, args, env, entrypoints', () => {
  const dir = action('docker', 'action.yml', `
runs:
  using: docker
  image: Dockerfile
  args: ["--who", "\${{ inputs.who }}"]
  env: { GREETING: hi }
  entrypoint: /main.sh
  pre-entrypoint: /pre.sh
  post-entrypoint: /post.sh
  post-if: failure()
`);
  assert.deepEqual(loadAction(dir, root).runs, {
    using: 'docker', image: 'Dockerfile', args: ['--who', '${{ inputs.who }}'], env: { GREETING: 'hi' },
    entrypoint: '/main.sh', preEntrypoint: '/pre.sh', postEntrypoint: '/post.sh', preIf: undefined, postIf: 'failure()',
  });
  const bare = action('docker-ref', 'action.yml', 'runs:\n  using: docker\n  image: docker://localhost/x:1\n');
  assert.deepEqual(loadAction(bare, root).runs, { using: 'docker', image: 'docker://localhost/x:1', args: [], env: {}, entrypoint: undefined, preEntrypoint: undefined, postEntrypoint: undefined, preIf: undefined, postIf: undefined });
});

test('an unknown `using` names its line and the supported ones; missing main or image, keys of another kind', () => {
  const unknown = action('unknown', 'action.yml', 'name: x\nruns:\n  using: node10\n  main: index.js\n');
  assert.throws(() => loadAction(unknown, root), /unknown\/action\.yml:3:10: runs\.using: found `node10`; supported: composite, node12, node16, node20, node24, docker/);
  const none = action('none', 'action.yml', 'runs:\n  main: index.js\n');
  assert.throws(() => loadAction(none, root), /none\/action\.yml:2:3: runs\.using: found nothing; supported: composite, node12/);
  const noMain = action('nomain', 'action.yml', 'runs:\n  using: node20\n  steps: []\n');
  assert.throws(() => loadAction(noMain, root), (err) => {
    assert.match((err as Error).message, /nomain\/action\.yml:3:3: runs\.steps: unknown key `steps`/);
    assert.match((err as Error).message, /nomain\/action\.yml:2:3: runs\.main: missing `main`/);
    return true;
  });
  const noImage = action('noimage', 'action.yml', 'runs:\n  using: docker\n  main: x.js\n');
  assert.throws(() => loadAction(noImage, root), /runs\.image: missing `image`/);
});

test('a directory without action.yml is an error that names it', () => {
  mkdirSync(join(root, 'empty'));
  assert.throws(() => loadAction(join(root, 'empty'), root), /no action\.yml or action\.yaml in empty/);
});
