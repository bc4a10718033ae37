// Issue 12, "What to build" 1: JavaScript and Docker container actions, end to end on a real
// server (git push, podman job containers, the host executor, buildah). The JavaScript action
// is written against @actions/core from the npm registry, installed into the action's
// directory and committed with it as actions on GitHub are; it runs unchanged, in a job
// container and on the host, with pre/main/post. The Docker action is built from its
// Dockerfile once and reused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHarness, commitAndPush, waitFor, removeDir, workingCopy, repoRoot, podman, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { ensureBusyboxImage } from '../../src/build/base-image.ts';

const exec = promisify(execFile);

const workflow = `name: actions
on: push
jobs:
  js:
    runs-on: ubuntu-latest
    steps:
      - id: greet
        name: Greet
        uses: ./.github/actions/js-core
        with:
          who: world
      - name: check
        run: |
          test "\${{ steps.greet.outputs.said }}" = "hello-push world"
          test "$FROM_ACTION" = exported-world
          case ":$PATH:" in *:/opt/from-action:*) echo "path ok";; *) echo "no path: $PATH"; exit 1;; esac
      - id: fails
        name: Fails
        uses: ./.github/actions/js-core
        continue-on-error: true
        with:
          who: failure
          greeting: bye
      - id: conditions
        name: Conditions
        uses: ./.github/actions/js-conditions
      - run: test "\${{ steps.conditions.outputs.ran }}" = once
      - id: composite
        name: Composite
        uses: ./.github/actions/composite-js
        with: { who: nested }
      - run: test "\${{ steps.composite.outputs.said }}" = "hello-push nested"
  js-host:
    runs-on: [self-hosted, host]
    steps:
      - id: greet
        name: Greet on the host
        uses: ./.github/actions/js-core
        with: { who: host }
      - run: test "\${{ steps.greet.outputs.said }}|$FROM_ACTION" = "hello-push host|exported-host"
  docker:
    runs-on: ubuntu-latest
    steps:
      - id: whale
        name: Whale
        uses: ./.github/actions/docker-greet
        with: { who: whale }
      - name: check
        run: |
          test "\${{ steps.whale.outputs.greeting }}" = from-docker-whale
          test "$(cat from-docker.txt)" = "written in the container"
      - name: Again
        uses: ./.github/actions/docker-greet
      - id: ref
        name: From an image
        uses: ./.github/actions/docker-ref
      - run: test "\${{ steps.ref.outputs.word }}" = w-push
`;

describe('JavaScript and Docker container actions (issue 12)', { timeout: 420_000 }, () => {
  let h: Harness;
  let repo: string;
  let run: RunView;
  let built = '';
  const log = async (job: string) => {
    const r = await runCli(['logs', run.id, '--job', job], { env: { PATH: process.env.PATH, HOME: repo, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken, NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const jobOf = (key: string) => {
    const j = run.jobs.find((x) => x.key === key);
    assert.ok(j, `job ${key} in ${run.jobs.map((x) => x.key).join(', ')}`);
    return j;
  };

  before(async () => {
    await ensureBusyboxImage();
    h = await startHarness({ env: { SLIPWAY_RUNNER_HOST: 'true' } });
    repo = await workingCopy('slipway-actions-', { '.github/workflows/actions.yml': workflow });
    const actions = join(repo, '.github/actions');
    await cp(join(repoRoot, 'test/fixtures/actions'), actions, { recursive: true });
    // The action's dependency from the npm registry, committed with it (as GitHub actions ship
    // theirs); the lock keeps this install apart from the project's own.
    // New content each time: the image is built by this test, not found from an earlier one.
    await writeFile(join(actions, 'docker-greet/build-nonce'), `${randomUUID()}\n`);
    await exec('flock', ['/tmp/npm.lock', 'npm', 'install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: join(actions, 'js-core') });
    const sha = await commitAndPush(repo, h, 'actions', 'actions', 'main');
    run = await waitFor('the run to finish', async () => {
      const rs = (await h.api<RunView[]>('/api/runs?project=actions').catch(() => [])).filter((x) => x.sha === sha);
      return rs.length === 1 && finished(rs[0]!.status) ? rs[0] : undefined;
    }, 360_000);
  });

  after(async () => {
    const tag = /as (localhost\/slipway-action\/[0-9a-f]+:latest)/.exec(built)?.[1];
    if (tag) await podman('rmi', '--force', tag);
    await h?.stop();
    if (repo) await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  it('runs an @actions/core action unchanged in a job container: inputs and defaults, outputs, state, env, path, groups, setFailed', async () => {
    const job = jobOf('js');
    const text = await log('js');
    assert.equal(job.status, 'success', text);
    // Post steps after all main steps, last registered first, named after their step.
    assert.deepEqual(job.steps.map((s) => [s.name, s.status]), [
      ['Greet', 'success'], ['check', 'success'], ['Fails', 'failure'], ['Conditions', 'success'], ['Run test "${{ steps.conditions.outputs.ran }}" = once', 'success'],
      ['Composite', 'success'], ['Run test "${{ steps.composite.outputs.said }}" = "hello-push nested"', 'success'],
      // post-if: failure() does not hold (the failure continued on error); the others default to always().
      ['Post Inner', 'success'], ['Post Conditions', 'skipped'], ['Post Fails', 'success'], ['Post Greet', 'success'],
    ]);
    assert.equal(text.match(/conditions stage ran/g)?.length, 1, 'pre-if false: only main ran');
    assert.match(text, /> Pre Greet\n[^]*?pre ran for world\n/);
    assert.match(text, /main: hello-push world; state from pre: pre-saw-world; action greet at \S+\/\.github\/actions\/js-core; node v24\./);
    assert.match(text, /dashed input: dashed-Linux\n/);
    assert.match(text, /##\[group\]inside a group\na line in the group\n##\[endgroup\]/);
    assert.match(text, /path ok/);
    assert.match(text, /post: pre-saw-nested main-saw-nested legacy-nested/);
    assert.match(text, /##\[error\]asked to fail for failure/);
    assert.match(text, /The `save-state` command is deprecated/);
    const posts = [text.indexOf('post: pre-saw-failure main-saw-failure legacy-failure'), text.indexOf('post: pre-saw-world main-saw-world legacy-world')];
    assert.ok(posts[0]! > 0 && posts[1]! > posts[0]!, `both posts, Fails' first:\n${text}`);
    const annotations = await h.api<{ level: string; message: string }[]>(`/api/runs/${run.id}/annotations`);
    assert.ok(annotations.some((a) => a.level === 'error' && a.message === 'asked to fail for failure'), JSON.stringify(annotations));
  });

  it('runs the same action on the host executor with the Node Slipway ships', async () => {
    const text = await log('js-host');
    assert.equal(jobOf('js-host').status, 'success', text);
    assert.match(text, /main: hello-push host; state from pre: pre-saw-host; [^\n]*node v24\./);
    assert.match(text, /post: pre-saw-host main-saw-host legacy-host/);
  });

  it('builds a Docker action from its Dockerfile once, and runs pre, main and post entrypoints with args, env, inputs and outputs', async (t) => {
    const job = jobOf('docker');
    const text = await log('docker');
    built = text;
    assert.equal(job.status, 'success', text);
    assert.deepEqual(job.steps.map((s) => [s.name, s.status]), [
      ['Whale', 'success'], ['check', 'success'], ['Again', 'success'], ['From an image', 'success'], ['Run test "${{ steps.ref.outputs.word }}" = w-push', 'success'],
      ['Post Again', 'success'], ['Post Whale', 'success'],
    ]);
    assert.match(text, /ref main: w-push/);
    // Figures, not assertions: the step that built the image, the one that reused it, and a JavaScript action's step.
    const ms = (s: { startedAt: unknown; finishedAt: unknown } | undefined) => (s ? Date.parse(String(s.finishedAt)) - Date.parse(String(s.startedAt)) : NaN);
    t.diagnostic(`docker action step, image built: ${ms(job.steps[0])} ms; same action, image reused: ${ms(job.steps[2])} ms; JavaScript action step (pre + main) in a job container: ${ms(jobOf('js').steps[0])} ms, on the host: ${ms(jobOf('js-host').steps[0])} ms`);
    assert.match(text, /docker pre: \[whale\]/);
    assert.match(text, /docker main: \[whale\] \[two words\] input=whale env=env-whale state=saved-by-pre-whale pwd=\/github\/workspace/);
    assert.match(text, /docker main: \[docker-push\] \[two words\] input=docker-push env=env-docker-push state=saved-by-pre-docker-push/);
    assert.match(text, /docker post: state=saved-by-pre-whale/);
    assert.equal(text.match(/Building \.\/\.github\/actions\/docker-greet/g)?.length, 1, text);
    assert.match(text, /Using localhost\/slipway-action\/[0-9a-f]{24}:latest, built earlier/);
  });
});
