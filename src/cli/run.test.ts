// `slipway run` end to end: a real child process in a temp project directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitOk } from '../git/test-support.ts';
import { mirrorAction } from '../git/actions/action-mirror.ts';
import { localActionSources } from './cli-action-sources.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function slipway(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function project(workflow: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-run-test-'));
  await mkdir(join(dir, '.github/workflows'), { recursive: true });
  await writeFile(join(dir, '.github/workflows/ci.yml'), workflow);
  await writeFile(join(dir, 'hello.txt'), 'from the working tree\n');
  return dir;
}

const workflow = `name: ci
on: push
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.say.outputs.greeting }}
    steps:
      - uses: actions/checkout@v4
      - id: say
        run: echo "greeting=hello $(cat hello.txt | cut -d' ' -f1)" >> "$GITHUB_OUTPUT"
      - run: exit 3
        continue-on-error: true
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.first.outputs.greeting }}"
`;

test('runs the workflow of the current directory, uncommitted files included, and prints a summary', async () => {
  const dir = await project(workflow);
  try {
    const r = await slipway(dir, ['run']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\[second\] got hello from/);
    assert.match(r.stdout, /Process completed with exit code 3/);
    assert.match(r.stdout, /first\s+success/);
    assert.match(r.stdout, /second\s+success/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--job runs one job and what it needs; a failing job makes the exit code 1', async () => {
  const dir = await project(workflow.replace('- run: exit 3\n        continue-on-error: true', '- run: exit 3'));
  try {
    const r = await slipway(dir, ['run', '--job', 'first', '--json']);
    assert.equal(r.code, 1);
    const summary = JSON.parse(r.stdout) as { jobs: { key: string; status: string }[] }[];
    assert.deepEqual(summary[0]!.jobs.map((j) => [j.key, j.status]), [['first', 'failure']]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an invalid workflow is reported with file:line:col and exit code 1', async () => {
  const dir = await project(workflow.replace('    needs: first', '    need: first'));
  try {
    const r = await slipway(dir, ['run']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.github\/workflows\/ci\.yml:\d+:\d+: .*need.*needs/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('workflow_dispatch inputs are typed and secrets from --secret-file are masked', async () => {
  const dir = await project(`on:
  workflow_dispatch:
    inputs:
      count: { type: number, required: true }
jobs:
  show:
    runs-on: self-hosted
    steps:
      - run: |
          echo "count is \${{ toJSON(inputs.count) }}"
          echo "token is \${{ secrets.TOKEN }}"
`);
  try {
    await writeFile(join(dir, 'secrets.env'), '# test secrets\nTOKEN=s3cr3t-value\n');
    const r = await slipway(dir, ['run', '--event', 'workflow_dispatch', '--input', 'count=2', '--secret-file', 'secrets.env']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /count is 2$/m, 'a number, not the string "2"');
    assert.match(r.stdout, /token is \*\*\*/);
    assert.ok(!r.stdout.includes('s3cr3t-value'), 'the secret never reaches the terminal');
    const bad = await slipway(dir, ['run', '--event', 'workflow_dispatch', '--input', 'count=many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /count/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a matrix, a matrix computed from a previous job, and a reusable workflow call run to the end', { timeout: 120_000 }, async () => {
  const dir = await project(`on: push
jobs:
  legs:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - run: echo "leg \${{ matrix.n }}"
  list:
    runs-on: ubuntu-latest
    outputs:
      items: \${{ steps.l.outputs.items }}
    steps:
      - id: l
        run: echo 'items=["a","b"]' >> "$GITHUB_OUTPUT"
  computed:
    needs: list
    runs-on: ubuntu-latest
    strategy:
      matrix:
        item: \${{ fromJSON(needs.list.outputs.items) }}
    steps:
      - run: echo "item \${{ matrix.item }}"
  call:
    uses: ./.github/workflows/called.yml
    with:
      who: world
`);
  await writeFile(join(dir, '.github/workflows/called.yml'), `on:
  workflow_call:
    inputs:
      who: { type: string, required: true }
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello \${{ inputs.who }}"
`);
  try {
    const r = await slipway(dir, ['run', '.github/workflows/ci.yml', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [summary] = JSON.parse(r.stdout) as { jobs: { key: string; status: string }[] }[];
    const statuses = Object.fromEntries(summary!.jobs.map((j) => [j.key, j.status]));
    assert.deepEqual(statuses, {
      'legs (1)': 'success',
      'legs (2)': 'success',
      'legs (3)': 'success',
      list: 'success',
      'computed (a)': 'success',
      'computed (b)': 'success',
      'call/greet': 'success',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('remote actions and reusable workflows resolve through the data dir: a mirrored composite action and workflow', { timeout: 120_000 }, async () => {
  const data = await mkdtemp(join(tmpdir(), 'slipway-run-data-'));
  const action = await mkdtemp(join(tmpdir(), 'slipway-run-action-'));
  const dir = await project(`on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - id: hi
        uses: acme/hello@v1
        with: { who: run }
      - run: test "\${{ steps.hi.outputs.said }}" = "hi run"
  call:
    uses: acme/hello/.github/workflows/lib.yml@v1
  missing:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/hello@v9
`);
  try {
    await writeFile(join(data, 'config.yml'), 'actions:\n  sources: [instance]\n');
    await writeFile(join(action, 'action.yml'), 'name: hello\ninputs: { who: { required: true } }\noutputs: { said: { value: "${{ steps.s.outputs.said }}" } }\nruns:\n  using: composite\n  steps:\n    - id: s\n      shell: bash\n      run: echo "said=hi ${{ inputs.who }}" >> "$GITHUB_OUTPUT"\n');
    await mkdir(join(action, '.github/workflows'), { recursive: true });
    await writeFile(join(action, '.github/workflows/lib.yml'), 'on: { workflow_call: {} }\njobs:\n  inner:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "from the remote workflow"\n');
    await gitOk(action, ['init', '-q']);
    await gitOk(action, ['add', '-A']);
    await gitOk(action, ['commit', '-q', '-m', 'one']);
    await gitOk(action, ['tag', 'v1']);
    await mirrorAction(localActionSources(data), 'acme', 'hello', action);
    const r = await slipway(dir, ['run', '.github/workflows/ci.yml'], { SLIPWAY_DATA: data });
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /\[use\] Action acme\/hello@v1 resolved to [0-9a-f]{40} \(source instance/);
    assert.match(r.stdout, /\[call\/inner\] from the remote workflow/);
    assert.match(r.stdout, /\[missing\] ##\[error\]\S+\.yml:\d+:9: step 1 \(Run acme\/hello@v9\): action acme\/hello@v9: source 'instance' mirror acme\/hello has no tag or branch v9/);
    assert.match(r.stdout, /use\s+success/);
    assert.match(r.stdout, /call\/inner\s+success/);
    assert.match(r.stdout, /missing\s+failure/);
  } finally {
    for (const d of [dir, data, action]) await rm(d, { recursive: true, force: true });
  }
});

test('act\'s flags: the event as first argument, --eventpath, --env-file, dotenv --secret-file, -s, --var, -P; a label nothing offers fails at once', { timeout: 180_000 }, async () => {
  const dir = await project(`name: flags
on:
  workflow_dispatch:
    inputs:
      who: { type: string, required: true }
env:
  FROM_WORKFLOW: workflow
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "env: $FROM_FILE $QUOTED $FROM_FLAG $FROM_WORKFLOW"
          echo "inputs: \${{ inputs.who }} event: \${{ github.event.custom }} file: $(cat "$GITHUB_EVENT_PATH" | tr -d ' \\n')"
          echo "vars: \${{ vars.COLOR }}"
          test "\${{ secrets.MULTI }}" = "$(printf 'line1\\nline2')" && echo "multi-line secret ok"
          echo "secrets: \${{ secrets.PLAIN }} \${{ secrets.FROM_SHELL }}"
  mapped:
    runs-on: my-laptop
    steps:
      - run: echo "mapped ran on \${{ runner.os }} with $GITHUB_ACTIONS"
  nowhere:
    runs-on: macos-latest
    steps:
      - run: echo must not run
`);
  try {
    await writeFile(join(dir, 'vars.env'), '# env\nFROM_FILE=file\nexport QUOTED="a b"\n');
    await writeFile(join(dir, 'secrets.env'), 'PLAIN=p1a1n-secret\nMULTI="line1\\nline2"\n');
    await writeFile(join(dir, 'event.json'), JSON.stringify({ custom: 'from-event-file', inputs: { who: 'ada' } }));
    const r = await slipway(dir, [
      'run', 'workflow_dispatch', '--eventpath', 'event.json', '--env-file', 'vars.env', '--env', 'FROM_FLAG=flag',
      '--secret-file', 'secrets.env', '-s', 'FROM_SHELL', '--var', 'COLOR=blue', '-P', 'my-laptop=-self-hosted',
    ], { FROM_SHELL: 'sh3ll-secret' });
    assert.equal(r.code, 1, 'the job no runner offers fails the run');
    assert.match(r.stdout, /\[show\] env: file a b flag workflow$/m);
    assert.match(r.stdout, /\[show\] inputs: ada event: from-event-file file: \{"custom":"from-event-file","inputs":\{"who":"ada"\}\}$/m);
    assert.match(r.stdout, /\[show\] vars: blue$/m);
    assert.match(r.stdout, /\[show\] multi-line secret ok$/m);
    assert.match(r.stdout, /\[show\] secrets: \*\*\* \*\*\*$/m);
    assert.ok(!r.stdout.includes('p1a1n-secret') && !r.stdout.includes('sh3ll-secret'), 'secrets never reach the terminal');
    assert.match(r.stdout, /\[mapped\] mapped ran on Linux with true$/m, '-P label=-self-hosted runs on this machine');
    assert.match(r.stdout, /\[nowhere\] ##\[error\]waiting for a runner with labels \[macos-latest\]; online runners offer \[[^\]]*my-laptop[^\]]*\]; slipway run has no other runner: map the label to an image with -P/);
    assert.doesNotMatch(r.stdout, /must not run/);
    assert.match(r.stdout, /show\s+success/);
    assert.match(r.stdout, /mapped\s+success/);
    assert.match(r.stdout, /nowhere\s+failure/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--list and --graph show the jobs by stage and run nothing; bad flags are named', async () => {
  const dir = await project(workflow);
  try {
    const list = await slipway(dir, ['run', '--list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^STAGE\s+JOB ID\s+JOB NAME\s+WORKFLOW NAME\s+WORKFLOW FILE\s+EVENTS$/m);
    assert.match(list.stdout, /^0\s+first\s+first\s+ci\s+\.github\/workflows\/ci\.yml\s+push$/m);
    assert.match(list.stdout, /^1\s+second\s+second\s+ci\s+\.github\/workflows\/ci\.yml\s+push$/m);
    const graph = await slipway(dir, ['run', '-g', '-W', '.github/workflows']);
    assert.equal(graph.code, 0, graph.stderr);
    assert.match(graph.stdout, /│ first │\n.*\n\s+⬇ second needs first\n.*\n│ second │/);
    assert.doesNotMatch(list.stdout + graph.stdout, /Checking out/);
    const cases: [string[], RegExp][] = [
      [['run', '--secret-file', 'missing.env'], /--secret-file missing\.env: no such file/],
      [['run', '-s', 'NOT_SET_ANYWHERE'], /-s NOT_SET_ANYWHERE: no value given and \$NOT_SET_ANYWHERE is not set/],
      [['run', '-P', 'nolabel'], /-P "nolabel": expected NAME=value/],
      [['run', '--eventpath', 'hello.txt'], /--eventpath hello\.txt: .*JSON/],
      [['run', '--event', 'pull_request'], /--event: expected one of push, workflow_dispatch, schedule, repository_dispatch/],
    ];
    for (const [args, message] of cases) {
      const r = await slipway(dir, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
