// A webhook from the local forge stand-in (test/support/forge-stand-in.ts: GitHub cannot be
// reached here; it serves a real repository through `git http-backend` and implements
// GitHub's status endpoint) starts a run that really runs (job container, built-in runner),
// and the forge hears pending, then success, for that commit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHmac } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import { startForgeStandIn, type ForgeStandIn } from '../support/forge-stand-in.ts';
import { runCli } from '../support/cli.ts';

const exec = promisify(execFile);
const secret = 'a-webhook-secret-of-some-length';
let h: Harness;
let forge: ForgeStandIn;
let root: string;

before(async () => {
  h = await startHarness();
  root = await mkdtemp(join(tmpdir(), 'slipway-forge-run-'));
  forge = await startForgeStandIn(join(root, 'forge'));
});

after(async () => {
  await h?.stop();
  await forge?.close();
  await removeDir(root);
  await removeDir(h.dataDir);
});

test('webhook → mirrored commit → a run that succeeds → pending and success statuses on the forge', async () => {
  await exec('git', ['init', '-q', '--bare', join(root, 'forge/o/app.git')]);
  const work = join(root, 'work');
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), 'name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: test -f README && echo tested\n');
  await writeFile(join(work, '.slipway/workflows/manual.yml'), 'name: manual\non:\n  workflow_dispatch:\n    inputs:\n      fail: { type: boolean, default: false }\njobs:\n  hi:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n      - run: test "${{ inputs.fail }}" != true\n');
  await writeFile(join(work, 'README'), 'app\n');
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'app');
  await git(work, 'push', '-q', join(root, 'forge/o/app.git'), 'HEAD:refs/heads/main');
  const sha = await git(work, 'rev-parse', 'HEAD');

  await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'app' }) });
  await h.api('/api/projects/app/forge', { method: 'PUT', body: JSON.stringify({ kind: 'github', url: `${forge.url}/o/app.git`, secret, token: 'tok' }) });
  const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, pusher: { name: 'octocat' } });
  const res = await fetch(`${h.slipway.url}/api/webhooks/app`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'run-1', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
    body,
  });
  assert.equal(res.status, 202, await res.text());

  const states = () => forge.received.filter((r) => r.path === `/api/v3/repos/o/app/statuses/${sha}`).map((r) => JSON.parse(r.body) as { state: string; description: string });
  const final = await waitFor('the final status', async () => states().find((s) => s.state !== 'pending'), 300_000);
  assert.deepEqual([final.state, final.description], ['success', 'run app#1 (ci) success']);
  assert.equal(states()[0]!.state, 'pending');
  assert.equal(states().at(-1)!.state, 'success', 'nothing after the outcome');
});

test('slipway dispatch --wait follows the run: each job and step as it changes, exit 1 when it fails', async () => {
  const cli = (...args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
  const ok = await cli('dispatch', 'app', 'manual.yml', '--wait');
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^run app#2 queued: manual on main \([0-9a-f]{7}\)$/);
  assert.ok(lines.includes('  hi: success'), ok.stdout);
  assert.ok(lines.some((l) => /^ {2}hi › \d+ .*echo one.*: success$/.test(l)), ok.stdout);
  assert.equal(lines.at(-1), 'run app#2: success');
  const failed = await cli('dispatch', 'app', 'manual.yml', '--input', 'fail=true', '--wait');
  assert.equal(failed.code, 1, failed.stdout);
  assert.match(failed.stdout, /\n {2}hi: failure\n/);
  assert.match(failed.stdout, /\nrun app#3: failure\n$/);
  assert.match(failed.stderr, /run app#3 failure/);
});
