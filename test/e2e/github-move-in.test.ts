// Issue 12's move-in, end to end: an unchanged GitHub-style workflow whose steps use a
// JavaScript action, a Docker action and a composite action (which itself uses the JS one),
// all hosted in this instance's own git (project `toolbox`, named `local/toolbox` as
// GitHub would name a repository), outputs through `::set-output` and `$GITHUB_OUTPUT`, a
// matrix from `fromJSON` of a previous job's output, and a remote reusable workflow call.
// Run by the server on a push and by `slipway run` on the working copy: the same results.
import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, git, pushRun, removeDir, runLog, startHarness, workingCopy, type Harness } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';
import { runOrThrow } from '../../src/exec/run.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

const toolbox: Record<string, string> = {
  'js/action.yml': `name: js greet
inputs:
  name: { required: true }
  punct: { default: '!' }
outputs:
  greeting: { description: the greeting }
runs:
  using: node20
  main: index.js
`,
  'js/index.js': `const fs = require('node:fs');
const name = process.env.INPUT_NAME;
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=hello ' + name + process.env.INPUT_PUNCT + '\\n');
console.log('::set-output name=legacy::js-' + name);
`,
  'docker/action.yml': `name: docker shout
inputs:
  name: { required: true }
runs:
  using: docker
  image: Dockerfile
  args: ['\${{ inputs.name }}']
`,
  'docker/Dockerfile': 'FROM localhost/slipway/busybox:latest\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
  'docker/entrypoint.sh': '#!/bin/sh\necho "shout=HEY $1" >> "$GITHUB_OUTPUT"\n',
  'composite/action.yml': `name: composite
inputs:
  name: { required: true }
outputs:
  both: { value: '\${{ steps.inner.outputs.greeting }}+\${{ steps.upper.outputs.upper }}' }
runs:
  using: composite
  steps:
    - id: inner
      uses: local/toolbox/js@v1
      with: { name: '\${{ inputs.name }}', punct: '?' }
    - id: upper
      shell: bash
      run: echo "upper=$(echo '\${{ inputs.name }}' | tr a-z A-Z)" >> "$GITHUB_OUTPUT"
`,
  '.github/workflows/reusable.yml': `on:
  workflow_call:
    inputs:
      who: { type: string, required: true }
    outputs:
      said: { value: '\${{ jobs.inner.outputs.said }}' }
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs: { said: '\${{ steps.s.outputs.said }}' }
    steps:
      - id: s
        run: echo "said=called with \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
`,
};

const workflow = `name: ci
on: push
jobs:
  setup:
    runs-on: ubuntu-latest
    outputs:
      legs: \${{ steps.m.outputs.legs }}
      old: \${{ steps.o.outputs.old }}
    steps:
      - id: m
        run: echo 'legs=["a","b"]' >> "$GITHUB_OUTPUT"
      - id: o
        run: echo "::set-output name=old::legacy-ok"
  build:
    needs: setup
    runs-on: ubuntu-latest
    strategy:
      matrix:
        leg: \${{ fromJSON(needs.setup.outputs.legs) }}
    steps:
      - id: js
        uses: local/toolbox/js@v1
        with: { name: '\${{ matrix.leg }}' }
      - id: docker
        uses: local/toolbox/docker@v1
        with: { name: '\${{ matrix.leg }}' }
      - id: comp
        uses: local/toolbox/composite@v1
        with: { name: '\${{ matrix.leg }}' }
      - run: echo "RESULT \${{ matrix.leg }} js=\${{ steps.js.outputs.greeting }} legacy=\${{ steps.js.outputs.legacy }} docker=\${{ steps.docker.outputs.shout }} comp=\${{ steps.comp.outputs.both }} old=\${{ needs.setup.outputs.old }}"
  call:
    needs: setup
    uses: local/toolbox/.github/workflows/reusable.yml@v1
    with: { who: '\${{ needs.setup.outputs.old }}' }
  report:
    needs: [build, call]
    runs-on: ubuntu-latest
    steps:
      - run: echo "REPORT \${{ needs.call.outputs.said }}"
`;

const expected = [
  'RESULT a js=hello a! legacy=js-a docker=HEY a comp=hello a?+A old=legacy-ok',
  'RESULT b js=hello b! legacy=js-b docker=HEY b comp=hello b?+B old=legacy-ok',
  'REPORT called with legacy-ok',
].sort();
/** The RESULT and REPORT lines a run printed, each once, sorted. */
const results = (text: string) => [...new Set(text.split('\n').map((l) => /(RESULT .*|REPORT .*)$/.exec(l.trim())?.[1]).filter((l): l is string => l !== undefined && !l.includes('${')))].sort();

void describe('moving in from GitHub: JS, Docker and composite actions from the instance, a fromJSON matrix, a remote reusable workflow', () => {
  let h: Harness;
  const dirs: string[] = [];
  let app = '';

  before(async () => {
    h = await startHarness();
    const tools = await workingCopy('slipway-toolbox-', toolbox);
    dirs.push(tools);
    await chmod(join(tools, 'docker/entrypoint.sh'), 0o755);
    await commitAndPush(tools, h, 'toolbox', 'the toolbox', 'main');
    await git(tools, 'tag', 'v1');
    await runOrThrow(['git', 'push', '-q', `${h.slipway.url}/git/toolbox.git`, 'refs/tags/v1'], { cwd: tools, env: gitAuthEnv(h.slipway.adminToken) });
    app = await workingCopy('slipway-movein-', { '.github/workflows/ci.yml': workflow });
    dirs.push(app);
  });
  after(async () => {
    await h?.stop();
    for (const d of dirs) await removeDir(d);
  });

  it('the server runs the unchanged workflow to success, every output where GitHub puts it', { timeout: 300_000 }, async () => {
    const sha = await commitAndPush(app, h, 'movein', 'move in', 'main');
    const run = await pushRun(h, 'movein', sha, 240_000);
    const log = await runLog(h, run.id);
    assert.equal(run.status, 'success', log);
    assert.deepEqual(results(log), expected);
    assert.deepEqual(run.jobs.map((j) => j.key).sort(), ['build (a)', 'build (b)', 'call/inner', 'report', 'setup']);
  });

  it('slipway run on the working copy gives the same results', { timeout: 300_000 }, async () => {
    const r = await runCli(['run', '.github/workflows/ci.yml'], { cwd: app, env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_DATA: h.dataDir } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(results(r.stdout), expected);
  });
});
