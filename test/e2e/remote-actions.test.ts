// Remote actions and reusable workflows hosted in the instance itself, end to end with a real
// server, real git and job containers: a composite action (project greet) that uses another
// remote action (project shout, which runs a script from its own action_path); the same
// action pinned by full SHA; a remote reusable workflow; the SHA each ref resolved to on the
// run; a missing ref and an unreachable source (github.com, which this machine cannot reach)
// failing clearly and fast; a pusher who may not read the action's project refused; an
// action mirrored from a path on disk (admins only).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startHarness, commitAndPush, waitFor, removeDir, workingCopy, git, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { runCli } from '../support/cli.ts';

const exec = promisify(execFile);

const shout = {
  'action.yml': `name: shout
inputs:
  text: { required: true }
outputs:
  loud: { value: "\${{ steps.s.outputs.loud }}" }
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: bash "\${{ github.action_path }}/shout.sh" "\${{ inputs.text }}"
`,
  'shout.sh': 'echo "loud=$(echo "$1" | tr a-z A-Z)" >> "$GITHUB_OUTPUT"\n',
};

const greet = {
  'action.yml': `name: greet
inputs:
  who: { required: true }
outputs:
  greeting: { value: "\${{ steps.loud.outputs.loud }}" }
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "greeting \${{ inputs.who }} from $GITHUB_ACTION_PATH"
    - id: loud
      uses: local/shout@v1
      with: { text: "hello \${{ inputs.who }}" }
`,
  '.github/workflows/reusable.yml': `on:
  workflow_call:
    inputs:
      who: { type: string, required: true }
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - id: g
        uses: local/greet@v1
        with: { who: "\${{ inputs.who }}" }
      - run: test "\${{ steps.g.outputs.greeting }}" = "HELLO CALLED"
`,
};

const appWorkflow = (pinned: string) => `on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - id: g
        uses: local/greet@v1
        with: { who: app }
      - run: test "\${{ steps.g.outputs.greeting }}" = "HELLO APP"
      - id: p
        uses: local/greet@${pinned}
        with: { who: pinned }
      - run: test "\${{ steps.p.outputs.greeting }}" = "HELLO PINNED"
  call:
    uses: local/greet/.github/workflows/reusable.yml@v1
    with: { who: called }
`;

const brokenWorkflow = `on: push
jobs:
  missing:
    runs-on: ubuntu-latest
    steps:
      - run: echo "this step ran"
      - uses: local/greet@v9
  unreachable:
    runs-on: ubuntu-latest
    steps:
      - uses: nobody/nothing@v1
`;

async function pushTag(dir: string, h: Harness, project: string, tag: string): Promise<void> {
  await git(dir, 'tag', '-f', tag);
  await exec('git', ['push', '-q', '--force', `${h.slipway.url}/git/${project}.git`, `refs/tags/${tag}`], { cwd: dir, env: gitAuthEnv(h.slipway.adminToken) });
}

describe('remote actions and reusable workflows from the instance', () => {
  let h: Harness;
  const dirs: string[] = [];
  let greetSha: string;

  const runOf = (project: string, sha: string, token = h.slipway.adminToken) =>
    waitFor(`the ${project} run to finish`, async () => {
      const res = await fetch(`${h.slipway.url}/api/runs?project=${project}`, { headers: { authorization: `Bearer ${token}` } });
      const r = ((await res.json()) as RunView[]).find((x) => x.sha === sha);
      return r && finished(r.status) ? r : undefined;
    }, 180_000);
  const cli = (args: string[]) => runCli([...args, '--server', h.slipway.url], { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_TOKEN: h.slipway.adminToken, NO_COLOR: '1' } });
  const logOf = async (run: RunView) => (await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${h.slipway.adminToken}` } })).text();

  before(async () => {
    h = await startHarness();
    const shoutDir = await workingCopy('slipway-shout-', shout);
    const greetDir = await workingCopy('slipway-greet-', greet);
    dirs.push(shoutDir, greetDir);
    await commitAndPush(shoutDir, h, 'shout', 'shout', 'main');
    await pushTag(shoutDir, h, 'shout', 'v1');
    greetSha = await commitAndPush(greetDir, h, 'greet', 'greet', 'main');
    await pushTag(greetDir, h, 'greet', 'v1');
  });

  after(async () => {
    await h?.stop();
    for (const d of dirs) await removeDir(d);
    if (h) await removeDir(h.dataDir);
  });

  it('runs a composite action that uses another remote action, pinned by SHA too, and a remote reusable workflow; the run records each SHA', async () => {
    const app = await workingCopy('slipway-app-', { '.github/workflows/ci.yml': appWorkflow(greetSha) });
    dirs.push(app);
    const sha = await commitAndPush(app, h, 'app', 'app', 'main');
    const run = await runOf('app', sha);
    const log = await logOf(run);
    assert.equal(run.status, 'success', `${JSON.stringify(run.jobs.map((j) => [j.key, j.status, j.error]))}\n${log}`);
    assert.deepEqual(run.jobs.map((j) => j.key).sort(), ['call/inner', 'use']);
    assert.match(log, new RegExp(`Action local/greet@v1 resolved to ${greetSha} \\(source instance`));
    assert.match(log, /Action local\/shout@v1 resolved to [0-9a-f]{40} \(source instance/);
    assert.match(log, /greeting app from \/\S+\/actions\/local\.greet\.[0-9a-f]{40}/);
    // `slipway logs` heads the log with what the planner resolved (the remote reusable workflow).
    const logs = await cli(['logs', run.id]);
    assert.match(logs.stdout, new RegExp(`^Reusable workflow local/greet/\\.github/workflows/reusable\\.yml@v1 resolved to ${greetSha} \\(source instance\\)$`, 'm'));
    const view = await h.api<RunView & { actions: { uses: string; sha: string; source: string; job: string | null }[] }>(`/api/runs/${run.id}`);
    const recorded = view.actions.map((a) => `${a.job ?? '(plan)'} ${a.uses} ${a.sha === greetSha ? 'GREET' : a.sha.length} ${a.source}`).sort();
    assert.deepEqual(recorded, [
      '(plan) local/greet/.github/workflows/reusable.yml@v1 GREET instance',
      'call/inner local/greet@v1 GREET instance',
      'call/inner local/shout@v1 40 instance',
      `use local/greet@${greetSha} GREET instance`,
      'use local/greet@v1 GREET instance',
      'use local/shout@v1 40 instance',
    ]);
  });

  it('a missing ref or an unreachable source fails the job before any step runs, naming the line and the source, within seconds', async () => {
    const broken = await workingCopy('slipway-broken-', { '.github/workflows/ci.yml': brokenWorkflow });
    dirs.push(broken);
    const sha = await commitAndPush(broken, h, 'broken', 'broken', 'main');
    const run = await runOf('broken', sha);
    assert.equal(run.status, 'failure');
    const log = await logOf(run);
    // As GitHub's "Download action repository": the job's remote actions are resolved at set-up.
    assert.match(log, /##\[error\]\.github\/workflows\/ci\.yml:7:9: step 2 \(Run local\/greet@v9\): action local\/greet@v9: source 'instance' project greet has no tag or branch v9/);
    assert.doesNotMatch(log, /this step ran/);
    assert.match(log, /##\[error\]\.github\/workflows\/ci\.yml:11:9: step 1 \(Run nobody\/nothing@v1\): action nobody\/nothing@v1: not found in source 'instance' \(no mirror nobody\/nothing; projects are `local\/<project>`\); source 'github' https:\/\/github\.com\/nobody\/nothing unreachable: /);
    for (const job of run.jobs) {
      assert.equal(job.status, 'failure', job.key);
      assert.deepEqual(job.steps.filter((st) => st.status !== 'skipped').map((st) => st.name), [], `${job.key}: no step ran`);
      assert.ok(Date.parse(job.finishedAt!) - Date.parse(job.startedAt!) < 10_000, `${job.key} failed within seconds`);
    }
  });

  it("a pusher who may not read the action's project is refused, naming the permission", async () => {
    const bob = await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'bob' }) });
    const repo = await workingCopy('slipway-bobs-', { '.github/workflows/ci.yml': 'on: push\njobs:\n  steal:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: local/greet@v1\n        with: { who: bob }\n' });
    dirs.push(repo);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'steal');
    const sha = await git(repo, 'rev-parse', 'HEAD');
    // bob creates his own project by pushing to it: he is its maintainer, and nothing in greet.
    await exec('git', ['push', '-q', `${h.slipway.url}/git/bobs2.git`, 'HEAD:refs/heads/main'], { cwd: repo, env: gitAuthEnv(bob.token) });
    const run = await runOf('bobs2', sha, bob.token);
    assert.equal(run.status, 'failure');
    assert.match(await logOf(run), /action local\/greet@v1: source 'instance' project greet: the run's pusher bob may not read it \(missing permission git\.read\)/);
    // Asking the API answers with the caller's own rights: bob is refused, the admin gets the commit.
    const asBob = await fetch(`${h.slipway.url}/api/actions/resolve`, { method: 'POST', headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ uses: 'local/greet@v1' }) });
    assert.equal(asBob.status, 422);
    assert.match(await asBob.text(), /project greet: bob may not read it \(missing permission git\.read\)/);
    assert.equal((await h.api<{ sha: string }>('/api/actions/resolve', { method: 'POST', body: JSON.stringify({ uses: 'local/greet@v1' }) })).sha, greetSha);
  });

  it('mirrors an action from a path on disk (admins only; 403 names actions.mirror) and runs it offline', async () => {
    const tool = await workingCopy('slipway-tool-', { 'action.yml': 'name: tool\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo "tool ran"\n' });
    dirs.push(tool);
    await git(tool, 'add', '-A');
    await git(tool, 'commit', '-q', '-m', 'tool');
    await git(tool, 'tag', 'v1');
    const bob = await h.api<{ token: string }>('/api/users', { method: 'POST', body: JSON.stringify({ name: 'carol' }) });
    const refused = await fetch(`${h.slipway.url}/api/actions/mirrors`, { method: 'POST', headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ repository: 'acme/tool', from: tool }) });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /missing permission actions\.mirror/);
    const mirrored = await cli(['actions', 'mirror', 'acme/tool', '--from', tool]);
    assert.equal(mirrored.code, 0, mirrored.stderr);
    assert.equal(mirrored.stdout, `mirrored acme/tool from ${tool}: 1 branch(es), 1 tag(s)\n`);
    const again = await cli(['actions', 'mirror', 'acme/tool', '--from', tool]);
    assert.match(again.stdout, /^updated acme\/tool from /);
    const resolved = await cli(['actions', 'resolve', 'acme/tool@v1']);
    assert.match(resolved.stdout, /^acme\/tool@v1 → [0-9a-f]{40} \(source instance(, cached)?\)\n$/);
    const user = await workingCopy('slipway-tooluser-', { '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/tool@v1\n' });
    dirs.push(user);
    const sha = await commitAndPush(user, h, 'tooluser', 'tool user', 'main');
    const run = await runOf('tooluser', sha);
    const log = await logOf(run);
    assert.equal(run.status, 'success', log);
    assert.match(log, /Action acme\/tool@v1 resolved to [0-9a-f]{40} \(source instance/);
    assert.match(log, /tool ran/);
  });
});
