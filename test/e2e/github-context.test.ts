// Issue 12 item 2 on a real server: a container job (podman, the built-in job image) dumps
// its environment and $GITHUB_EVENT_PATH, and the test checks them against GitHub's table of
// default variables (src/runner/test-support.ts) and GitHub's push and workflow_dispatch
// payload keys — for a push over git, then a dispatch through the CLI.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, commitAndPush, git, waitFor, removeDir, workingCopy, type Harness } from '../support/harness.ts';
import { finished, type RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';
import { variableProblems } from '../../src/runner/test-support.ts';
import { pushCommitKeys, pushPayloadKeys, repositoryKeys } from '../../src/triggers/test-support.ts';

const workflow = `name: context
on:
  push:
  workflow_dispatch:
    inputs:
      who: { type: string, required: true }
jobs:
  dump:
    runs-on: ubuntu-latest
    steps:
      - run: |
          env | grep -E '^(CI|GITHUB_|RUNNER_|SLIPWAY_RUN_ID)' | sed 's/^/ENV:/'
          echo "EVENT:$(node -e 'process.stdout.write(JSON.stringify(require(process.env.GITHUB_EVENT_PATH)))')"
          echo "CTX:\${{ github.run_id }}|\${{ github.repository }}|\${{ github.event_path }}|\${{ github.event.head_commit.message }}\${{ github.event.inputs.who }}|\${{ runner.environment }}"
`;

interface Dump {
  env: Record<string, string>;
  event: Record<string, unknown>;
  ctx: string[];
}

describe('GitHub\'s default variables and event payloads in a container job (issue 12)', { timeout: 300_000 }, () => {
  let h: Harness;
  let repo: string;
  const cli = (args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: repo, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken, NO_COLOR: '1' } });

  async function dumpOf(run: RunView): Promise<Dump> {
    assert.equal(run.status, 'success', JSON.stringify(run));
    const log = (await cli(['logs', run.id, '--job', 'dump'])).stdout;
    const lines = log.split('\n').map((l) => l.replace(/^.*?(ENV:|EVENT:|CTX:)/, '$1'));
    const env = Object.fromEntries(lines.filter((l) => l.startsWith('ENV:')).map((l) => [l.slice(4, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const event = JSON.parse(lines.find((l) => l.startsWith('EVENT:'))!.slice(6)) as Record<string, unknown>;
    return { env, event, ctx: lines.find((l) => l.startsWith('CTX:'))!.slice(4).split('|') };
  }

  const runOf = (sha: string, event: string) =>
    waitFor(`the ${event} run`, async () => {
      const r = (await h.api<RunView[]>('/api/runs?project=ctx')).find((x) => x.sha === sha && x.event === event);
      return r && finished(r.status) ? r : undefined;
    }, 240_000);

  before(async () => {
    h = await startHarness();
    repo = await workingCopy('slipway-ctx-', { '.github/workflows/context.yml': workflow });
  });

  after(async () => {
    await h?.stop();
    if (repo) await removeDir(repo);
    if (h) await removeDir(h.dataDir);
  });

  it('a push run has every default variable with GitHub\'s shape, and a GitHub-shaped push payload', async () => {
    const sha = await commitAndPush(repo, h, 'ctx', 'the first commit', 'main');
    const { env, event, ctx } = await dumpOf(await runOf(sha, 'push'));
    assert.deepEqual(variableProblems(env), []);
    assert.equal(env.GITHUB_REPOSITORY, 'slipway/ctx');
    assert.equal(env.GITHUB_SHA, sha);
    assert.equal(env.GITHUB_WORKFLOW_REF, 'slipway/ctx/.github/workflows/context.yml@refs/heads/main');
    assert.equal(env.GITHUB_ACTOR, 'admin', 'the pusher');
    assert.equal(env.GITHUB_REF_PROTECTED, 'true', 'the default branch is protected by default');
    assert.equal(env.GITHUB_RUN_NUMBER, '1');
    assert.match(env.SLIPWAY_RUN_ID!, /^run_/);
    assert.deepEqual(Object.keys(event).sort(), pushPayloadKeys);
    assert.deepEqual([event.created, event.forced, event.after, event.ref], [true, false, sha, 'refs/heads/main']);
    const commits = event.commits as Record<string, unknown>[];
    assert.deepEqual(commits.map((c) => c.message), ['the first commit']);
    assert.deepEqual(Object.keys(commits[0]!).sort(), pushCommitKeys);
    assert.deepEqual(commits[0]!.added, ['.github/workflows/context.yml']);
    const repository = event.repository as Record<string, unknown>;
    for (const key of repositoryKeys) assert.ok(key in repository, `repository.${key}`);
    assert.equal(repository.clone_url, `${h.slipway.url}/git/ctx.git`);
    assert.deepEqual((event.sender as { login: string }).login, 'admin');
    // The github context says the same as the variables.
    assert.deepEqual(ctx, [env.GITHUB_RUN_ID, 'slipway/ctx', env.GITHUB_EVENT_PATH, 'the first commit', 'self-hosted']);
  });

  it('a dispatched run: its own GITHUB_RUN_ID, the workflow\'s next GITHUB_RUN_NUMBER, inputs and sender in the payload', async () => {
    const sha = await git(repo, 'rev-parse', 'HEAD');
    const first = await dumpOf(await runOf(sha, 'push'));
    const dispatched = await cli(['dispatch', 'ctx', 'context.yml', '--ref', 'main', '--input', 'who=ada']);
    assert.equal(dispatched.code, 0, dispatched.stderr);
    const { env, event, ctx } = await dumpOf(await runOf(sha, 'workflow_dispatch'));
    assert.deepEqual(variableProblems(env), []);
    assert.equal(env.GITHUB_EVENT_NAME, 'workflow_dispatch');
    assert.ok(Number(env.GITHUB_RUN_ID) > Number(first.env.GITHUB_RUN_ID));
    assert.equal(env.GITHUB_RUN_NUMBER, '2');
    assert.deepEqual(event.inputs, { who: 'ada' });
    assert.deepEqual([event.ref, event.workflow, (event.sender as { login: string }).login], ['refs/heads/main', '.github/workflows/context.yml', 'admin']);
    assert.equal((event.repository as { full_name: string }).full_name, 'slipway/ctx');
    assert.equal(ctx[3], 'ada');
  });
});
