// Issue 12, "Defects found", end to end on a real server (git push, podman job containers):
// `::set-output`/`::save-state` honoured with GitHub's deprecation warning; an absolute,
// a relative and a missing `working-directory`; `jobs.<id>.defaults.run` expressions; and
// `slipway logs` for an invalid workflow (errors, exit 1, --json) and for a matrix followed
// with -f (each leg's lines under its `=== job ===` header).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, commitAndPush, waitFor, removeDir, workingCopy, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { ensureBusyboxImage } from '../../src/build/base-image.ts';

const compat = `name: compat
on: push
env:
  SHELL_NAME: sh
jobs:
  outputs:
    runs-on: ubuntu-latest
    outputs:
      greeting: \${{ steps.old.outputs.greeting }}
    steps:
      - id: old
        run: |
          echo "::set-output name=greeting::hello-old"
          echo "::save-state name=pid::42"
      - id: both
        run: |
          echo "::set-output name=x::from-command"
          echo "x=from-file" >> "$GITHUB_OUTPUT"
      - run: test "\${{ steps.old.outputs.greeting }}|\${{ steps.both.outputs.x }}" = "hello-old|from-file"
  dirs:
    runs-on: ubuntu-latest
    env:
      WD: sub
    defaults:
      run:
        shell: \${{ env.SHELL_NAME }}
        working-directory: \${{ env.WD }}/inner
    steps:
      - working-directory: .
        run: mkdir -p sub/inner /tmp/slipway-absolute-wd
      - run: test "$PWD" = "$GITHUB_WORKSPACE/sub/inner" && echo "default dir ok"
      - working-directory: /tmp/slipway-absolute-wd
        run: test "$PWD" = /tmp/slipway-absolute-wd && echo "absolute dir ok"
      - working-directory: sub
        run: test "$PWD" = "$GITHUB_WORKSPACE/sub" && echo "relative dir ok"
      - name: missing
        working-directory: no-such-dir
        continue-on-error: true
        run: echo must not run
  legs:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo "leg-line-\${{ matrix.n }}"
`;

const broken = `name: broken
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
        bogus-key: 1
`;

describe('GitHub compatibility defects (issue 12)', { timeout: 240_000 }, () => {
  let h: Harness;
  let repo: string;
  let runs: RunView[];
  const cli = (args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: repo, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken, NO_COLOR: '1' } });
  const runOf = (workflow: string) => {
    const r = runs.find((x) => x.workflow.endsWith(workflow) || `${x.workflow}.yml` === workflow);
    assert.ok(r, `a run of ${workflow} in ${runs.map((x) => x.workflow).join(', ')}`);
    return r;
  };
  const jobOf = (run: RunView, key: string) => {
    const j = run.jobs.find((x) => x.key === key);
    assert.ok(j, `job ${key} in ${run.jobs.map((x) => x.key).join(', ')}`);
    return j;
  };

  before(async () => {
    await ensureBusyboxImage();
    h = await startHarness();
    repo = await workingCopy('slipway-compat-', { '.github/workflows/compat.yml': compat, '.github/workflows/broken.yml': broken });
    const sha = await commitAndPush(repo, h, 'compat', 'compat', 'main');
    runs = await waitFor('both runs to finish', async () => {
      const rs = (await h.api<RunView[]>('/api/runs?project=compat').catch(() => [])).filter((x) => x.sha === sha);
      return rs.length === 2 && rs.every((r) => finished(r.status)) ? rs : undefined;
    }, 180_000);
  });

  after(async () => {
    await h?.stop();
    if (repo) await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  it('honours ::set-output (below $GITHUB_OUTPUT) and ::save-state, with GitHub\'s deprecation warning', async () => {
    const run = runOf('compat.yml');
    const job = jobOf(run, 'outputs');
    assert.equal(job.status, 'success', JSON.stringify(job));
    assert.equal(job.outputs.greeting, 'hello-old');
    const log = (await cli(['logs', run.id, '--job', 'outputs'])).stdout;
    assert.match(log, /##\[warning\]The `set-output` command is deprecated and will be disabled soon\./);
    assert.match(log, /##\[warning\]The `save-state` command is deprecated/);
    assert.doesNotMatch(log, /^::(set-output|save-state) /m, 'the command lines themselves are not logged');
    const annotations = await h.api<{ level: string; message: string }[]>(`/api/runs/${run.id}/annotations`);
    assert.ok(annotations.some((a) => a.level === 'warning' && a.message.startsWith('The `set-output` command is deprecated')), JSON.stringify(annotations));
  });

  it('evaluates defaults.run with the job\'s contexts; working-directory absolute, relative, or missing and named', async () => {
    const run = runOf('compat.yml');
    const job = jobOf(run, 'dirs');
    assert.equal(job.status, 'success', JSON.stringify(job));
    assert.deepEqual(job.steps.map((s) => s.status), ['success', 'success', 'success', 'success', 'failure']);
    const log = (await cli(['logs', run.id, '--job', 'dirs'])).stdout;
    for (const line of ['default dir ok', 'absolute dir ok', 'relative dir ok']) assert.match(log, new RegExp(line));
    assert.match(log, /working-directory \S+\/no-such-dir does not exist/);
    assert.doesNotMatch(log, /must not run|ENOENT/);
  });

  it('logs of an invalid workflow print its errors (file:line) and exit 1; --json prints JSON', async () => {
    const run = runOf('broken.yml');
    assert.equal(run.status, 'failure');
    const text = await cli(['logs', run.id]);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stderr, /broken\.yml:8:\d+:[^\n]*bogus-key/);
    const json = await cli(['logs', run.id, '--json']);
    assert.equal(json.code, 1, json.stderr);
    const parsed = JSON.parse(json.stdout) as { status: string; error: string; logs: unknown[] };
    assert.equal(parsed.status, 'failure');
    assert.match(parsed.error, /broken\.yml:8:\d+/);
    assert.deepEqual(parsed.logs, []);
    const followed = await cli(['logs', run.id, '-f']);
    assert.equal(followed.code, 1, followed.stderr);
    assert.match(followed.stderr, /broken\.yml:8:\d+:[^\n]*bogus-key/);
  });

  it('logs -f keeps each job\'s === header, so matrix legs are told apart; --json gives each job its log', async () => {
    const run = runOf('compat.yml');
    const followed = await cli(['logs', run.id, '-f']);
    assert.equal(followed.code, 0, followed.stderr);
    for (const n of [1, 2]) assert.match(followed.stdout, new RegExp(`=== legs \\(${n}\\) ===\\n(?:(?!=== )[^])*?leg-line-${n}`));
    const json = JSON.parse((await cli(['logs', run.id, '--json'])).stdout) as { logs: { job: string; text: string }[] };
    assert.match(json.logs.find((l) => l.job === 'legs (2)')?.text ?? '', /leg-line-2/);
    assert.doesNotMatch(json.logs.find((l) => l.job === 'legs (1)')?.text ?? '', /leg-line-2/);
  });
});
