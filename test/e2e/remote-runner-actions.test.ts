// Remote actions on a remote runner (issue 13): a `slipway runner` process on this machine,
// talking to the server over HTTP only, runs a job whose steps use a JavaScript action, a
// Docker action (its Dockerfile built on the runner's host) and a composite action that
// uses a further remote action of another project, all hosted in the instance
// (`uses: local/<project>/<path>@v1`). The server resolves each with the run's rights and
// ships the commit's tree by SHA; the runner caches it, so a second job using it downloads
// nothing. A job of a user who may not read the actions' project fails, naming the permission.
// A job spanning a server restart still checks out (with its own token) and resolves an
// action afterwards; a runner prunes trees unused for --action-cache-max-age.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitAndPush, git, pushRun, removeDir, repoRoot, runLog, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { runnerProcesses, type RunnerProcesses } from '../support/runner-process.ts';
import { runOrThrow } from '../../src/exec/run.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

/** The files of test/fixtures/actions/<name>, under `dir/`. */
const fixtureFiles = (name: string, dir: string): Record<string, string> => {
  const from = join(repoRoot, 'test/fixtures/actions', name);
  return Object.fromEntries(readdirSync(from).map((f) => [`${dir}/${f}`, readFileSync(join(from, f), 'utf8')]));
};

const toolbox: Record<string, string> = {
  'js/action.yml': 'name: js greet\ninputs:\n  name: { required: true }\noutputs:\n  greeting: { description: the greeting }\nruns:\n  using: node20\n  main: index.js\n',
  'js/index.js': "require('node:fs').appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=hello ' + process.env.INPUT_NAME + '\\n');\n",
  // The Docker action of the JS/Docker actions e2e (pre, main and post entrypoints), built on the runner's host.
  ...fixtureFiles('docker-greet', 'docker'),
  'composite/action.yml': `name: composite
inputs:
  name: { required: true }
outputs:
  both: { value: '\${{ steps.inner.outputs.upper }}' }
runs:
  using: composite
  steps:
    - id: inner
      uses: local/helper@v1
      with: { text: '\${{ inputs.name }}' }
`,
};

// A project of its own: the composite's nested `uses:` is a second tree, fetched when the composite runs.
const helper: Record<string, string> = {
  'action.yml': 'name: upper\ninputs:\n  text: { required: true }\noutputs:\n  upper: { description: upper case }\nruns:\n  using: node24\n  main: main.js\n',
  'main.js': "require('node:fs').appendFileSync(process.env.GITHUB_OUTPUT, 'upper=' + process.env.INPUT_TEXT.toUpperCase() + '\\n');\n",
};

const workflow = `name: ci
on: push
jobs:
  first:
    runs-on: remote
    steps:
      - id: js
        uses: local/toolbox/js@v1
        with: { name: one }
      - id: docker
        uses: local/toolbox/docker@v1
        with: { who: one }
      - id: comp
        uses: local/toolbox/composite@v1
        with: { name: one }
      - run: echo "RESULT first js=\${{ steps.js.outputs.greeting }} docker=\${{ steps.docker.outputs.greeting }} comp=\${{ steps.comp.outputs.both }}"
  second:
    needs: first
    runs-on: remote
    steps:
      - id: js
        uses: local/toolbox/js@v1
        with: { name: two }
      - run: echo "RESULT second js=\${{ steps.js.outputs.greeting }}"
`;

async function hostProject(h: Harness, project: string, files: Record<string, string>, dirs: string[]): Promise<string> {
  const dir = await workingCopy(`slipway-${project}-`, files);
  dirs.push(dir);
  for (const name of Object.keys(files)) if (name.endsWith('.sh')) await chmod(join(dir, name), 0o755);
  const sha = await commitAndPush(dir, h, project, project, 'main');
  await git(dir, 'tag', 'v1');
  await runOrThrow(['git', 'push', '-q', `${h.slipway.url}/git/${project}.git`, 'refs/tags/v1'], { cwd: dir, env: gitAuthEnv(h.slipway.adminToken) });
  return sha;
}

describe('remote actions on a remote runner', () => {
  let h: Harness;
  let home: string;
  let runners: RunnerProcesses;
  let runnerDir: string;
  let runner: ChildProcess;
  const dirs: string[] = [];
  let toolboxSha: string;
  let helperSha: string;
  const runnersOf = async (jobs: { id: string }[]) => Promise.all(jobs.map(async (j) => (await h.slipway.store.runs.job(j.id))?.runner));

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-remote-actions-home-'));
    h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' } });
    toolboxSha = await hostProject(h, 'toolbox', toolbox, dirs);
    helperSha = await hostProject(h, 'helper', helper, dirs);
    runners = runnerProcesses(h.slipway, home);
    runnerDir = await runners.register('far-away', 'remote');
    runner = runners.start(runnerDir);
  });
  after(async () => {
    runners?.killAll();
    await h?.stop();
    for (const d of [...dirs, home]) if (d) await removeDir(d);
    if (h) await rm(h.dataDir, { recursive: true, force: true });
  });

  it('runs JS, Docker and composite actions (with a nested remote action) shipped by SHA; a second job downloads nothing', { timeout: 300_000 }, async () => {
    const app = await workingCopy('slipway-remote-actions-app-', { '.github/workflows/ci.yml': workflow });
    dirs.push(app);
    const sha = await commitAndPush(app, h, 'farapp', 'use actions', 'main');
    const run = await pushRun(h, 'farapp', sha, 240_000);
    const log = await runLog(h, run.id);
    assert.equal(run.status, 'success', `${JSON.stringify(run.jobs.map((j) => [j.key, j.status, j.error]))}\n${log}`);
    assert.deepEqual(await runnersOf(run.jobs), ['far-away', 'far-away'], 'both jobs ran on the remote runner');
    assert.match(log, /RESULT first js=hello one docker=from-docker-one comp=ONE$/m);
    assert.match(log, /RESULT second js=hello two$/m);
    assert.match(log, /docker pre: \[one\][\s\S]*docker main: \[one\] \[two words\][\s\S]*docker post: state=saved-by-pre-one/);
    // One repository at one commit is one tree: fetched for the first `uses:`, cached for the others and for the second job.
    const downloads = log.split('\n').filter((l) => l.includes(`Download action repository 'local/toolbox/`));
    assert.deepEqual(downloads.map((l) => /\(SHA:([0-9a-f]{40}), source instance(, cached)?\)/.exec(l)?.slice(1)), [
      [toolboxSha, undefined], [toolboxSha, ', cached'], [toolboxSha, ', cached'], [toolboxSha, ', cached'],
    ], downloads.join('\n'));
    assert.match(log, new RegExp(`Action local/helper@v1 resolved to ${helperSha} \\(source instance\\)`), 'the nested action came as a tree of its own');
    assert.deepEqual((await readdir(join(runnerDir, 'actions'))).sort(), [helperSha, toolboxSha].sort(), "the runner's cache holds each tree once, by SHA");
  });

  it("a job of a user who may not read the actions' project fails at set-up, naming the permission", { timeout: 120_000 }, async () => {
    const bob = await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'bob' }) });
    const repo = await workingCopy('slipway-remote-actions-bob-', { '.github/workflows/ci.yml': 'on: push\njobs:\n  steal:\n    runs-on: remote\n    steps:\n      - run: echo "this step ran"\n      - uses: local/toolbox/js@v1\n        with: { name: bob }\n' });
    dirs.push(repo);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'steal');
    const sha = await git(repo, 'rev-parse', 'HEAD');
    // bob creates his own project by pushing to it: he is its maintainer, and nothing in toolbox.
    await runOrThrow(['git', 'push', '-q', `${h.slipway.url}/git/bobsfar.git`, 'HEAD:refs/heads/main'], { cwd: repo, env: gitAuthEnv(bob.token) });
    const run = await pushRun(h, 'bobsfar', sha);
    const log = await runLog(h, run.id);
    assert.equal(run.status, 'failure', log);
    assert.deepEqual(await runnersOf(run.jobs), ['far-away']);
    assert.match(log, /step 2 \(Run local\/toolbox\/js@v1\): .*action local\/toolbox@v1: source 'instance' project toolbox: the run's pusher bob may not read it \(missing permission git\.read\)/);
    assert.doesNotMatch(log, /this step ran/);
  });

  it('a job on a remote runner spans a server restart: its checkout (a fetch with the job token) and its remote action after the restart still work', { timeout: 240_000 }, async () => {
    const across = `on: push
jobs:
  across:
    runs-on: remote
    steps:
      - run: echo started; sleep 8; echo slept
      - uses: actions/checkout@v4
        with: { path: again }
      - run: test -f again/marker.txt && echo "checked out"
      - id: up
        uses: local/helper@v1
        with: { text: after restart }
      - run: echo "RESULT across \${{ steps.up.outputs.upper }}"
`;
    const app = await workingCopy('slipway-remote-actions-across-', { '.github/workflows/ci.yml': across, 'marker.txt': 'here\n' });
    dirs.push(app);
    const sha = await commitAndPush(app, h, 'farrestart', 'across a restart', 'main');
    await waitFor('the first step to start', async () => {
      const project = await h.slipway.store.projects.get('farrestart');
      const [run] = project ? await h.slipway.store.runs.list({ projectId: project.id, limit: 1 }) : [];
      const [first] = run ? await h.slipway.store.runs.jobs(run.id) : [];
      return first && (await runLog(h, run!.id)).includes('started') ? true : undefined;
    }, 120_000);
    await h.restart();
    const run = await pushRun(h, 'farrestart', sha, 120_000);
    const log = await runLog(h, run.id);
    assert.equal(run.status, 'success', log);
    assert.match(log, /^checked out$/m);
    assert.match(log, /RESULT across AFTER RESTART$/m);
  });

  it('a runner started with --action-cache-max-age removes trees unused that long', { timeout: 60_000 }, async () => {
    runner.kill('SIGTERM');
    await once(runner, 'exit');
    const actions = join(runnerDir, 'actions');
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const name of await readdir(actions)) await utimes(join(actions, name), old, old);
    runner = runners.start(runnerDir, ['--action-cache-max-age', '1h']);
    await waitFor('the runner to prune its action cache', async () => ((await readdir(actions)).length === 0 ? true : undefined), 30_000);
  });
});
