// `slipway lint` as a child process in a scratch repository directory (no server needed).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type ProcessResult } from '../../../test/support/cli.ts';

function lint(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  return runCli(['lint', ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env } });
}

const good = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix: { node: [20, 22] }
    steps:
      - run: make
  call:
    needs: build
    uses: ./.github/workflows/lib.yml
    with: { target: x }
`;
const lib = `on:
  workflow_call:
    inputs:
      target: { type: string, required: true }
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ inputs.target }}
`;
const bad = `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    need: build
    strategy:
      matrix: { os: [] }
    steps:
      - run: make
  call:
    uses: ./.github/workflows/lib.yml
    with: { traget: x }
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-lint-'));
  for (const repo of ['ok', 'broken']) await mkdir(join(dir, repo, '.github/workflows'), { recursive: true });
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'ok/.github/workflows/ci.yml'), good);
  await writeFile(join(dir, 'ok/.github/workflows/lib.yml'), lib);
  await writeFile(join(dir, 'broken/.github/workflows/ci.yml'), bad);
  await writeFile(join(dir, 'broken/.github/workflows/lib.yml'), lib);
  await mkdir(join(dir, 'broken/.slipway'));
  await writeFile(join(dir, 'broken/.slipway/deploy.yml'), 'service: hello\nimage: hello\nprot: 8080\nenvironments: {}\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void describe('slipway lint', { concurrency: true }, () => {
  void test('a clean repository exits 0 with a one-line summary', async () => {
    const r = await lint(join(dir, 'ok'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'no errors in 2 files (.github/workflows/ci.yml, .github/workflows/lib.yml)\n');
  });

  void test('every error in workflows, called workflows and deploy.yml, with positions and suggestions; exit 1', async () => {
    const r = await lint(join(dir, 'broken'));
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.includes('.github/workflows/ci.yml:5:5: jobs.test.need: unknown key `need`; did you mean `needs`?'), r.stdout);
    assert.ok(lines.includes('.github/workflows/ci.yml:7:21: jobs.test.strategy.matrix.os: expected at least one value for matrix axis `os`, found an empty list'), r.stdout);
    assert.ok(lines.some((l) => l.startsWith('.slipway/deploy.yml:3:1: ') && l.includes('prot')), r.stdout);
    assert.match(r.stderr, /^\d+ errors in 3 files\n$/);
  });

  void test('called-workflow errors when the caller parses; explicit paths; --json', async () => {
    await writeFile(join(dir, 'call-only.yml'), 'on: push\njobs:\n  call:\n    uses: ./.github/workflows/lib.yml\n    with: { traget: x }\n');
    const r = await lint(join(dir, 'broken'), ['--json', join(dir, 'call-only.yml')]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { files: string[]; diagnostics: { file: string; line: number; column: number; path: string; message: string }[] };
    assert.deepEqual(out.files, ['../call-only.yml']);
    // In file order: `with` (5:5) before its key `traget` (5:13).
    assert.deepEqual(out.diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`), [
      '5:5 jobs.call.with: missing input `target`; `.github/workflows/lib.yml` requires it',
      '5:13 jobs.call.with.traget: `.github/workflows/lib.yml` has no input `traget`; did you mean `target`?',
    ]);
  });

  void test('a runs-on label no configured runner label offers is a warning (exit 0); runner.labels in the data dir count', async () => {
    const repo = join(dir, 'labels');
    await mkdir(join(repo, '.slipway/workflows'), { recursive: true });
    await writeFile(join(repo, '.slipway/workflows/ci.yml'), 'on: push\njobs:\n  train:\n    runs-on: [self-hosted, gpu]\n    steps:\n      - run: make\n  os:\n    runs-on: ${{ matrix.os }}\n    strategy: { matrix: { os: [a] } }\n    steps:\n      - run: make\n');
    const r = await lint(repo);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\.slipway\/workflows\/ci\.yml:3:3: jobs\.train\.runs-on: no runner label matches \[gpu\] \(configured: \[ubuntu-latest, ubuntu-24\.04, ubuntu-22\.04, self-hosted, linux, x64, slipway\]\); the job would wait for runner\.queueTimeout and fail\..* \(warning\)$/m);
    // A matrix leg is checked with its own label.
    assert.match(r.stdout, /^\.slipway\/workflows\/ci\.yml:7:3: jobs\.os\.runs-on: no runner label matches \[a\] .* \(warning\)$/m);
    assert.match(r.stdout, /no errors, 2 warnings in 1 file/);
    const data = join(dir, 'labels-data');
    await mkdir(data);
    await writeFile(join(data, 'config.yml'), 'runner:\n  labels:\n    self-hosted: builtin\n    gpu: docker://cuda:12\n    a: builtin\n');
    const configured = await lint(repo, ['--json'], { SLIPWAY_DATA: data });
    assert.equal(configured.code, 0, configured.stderr);
    assert.deepEqual((JSON.parse(configured.stdout) as { warnings: unknown[] }).warnings, []);
  });

  void test('nothing to lint exits 1 and says where it looked', async () => {
    const r = await lint(join(dir, 'empty'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing to lint: no \.slipway\/workflows\/\*\.yml, \.github\/workflows\/\*\.yml or \.slipway\/deploy\.yml/);
  });
});
