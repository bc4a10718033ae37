// Code hosted elsewhere, end to end (issue 12 items 5 and 7). GitHub, GitLab and Gitea
// cannot run here, so a local stand-in (test/support/forge-stand-in.ts) plays them: it
// serves a real bare repository over smart HTTP through the real `git http-backend` and
// implements each forge's documented commit-status endpoint. Deliveries are signed the way
// each forge documents. The runner is off: runs stay queued until cancelled, which is all
// the statuses need (pending → error/failed) without containers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHmac } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, removeDir, startHarness, waitFor, type Harness } from '../support/harness.ts';
import { startForgeStandIn, type ForgeStandIn } from '../support/forge-stand-in.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import type { RunView } from '../support/api-views.ts';
import { runCli } from '../support/cli.ts';

const exec = promisify(execFile);
const secret = 'a-webhook-secret-of-some-length';
const token = 'forge-api-token-123';
const workflow = 'name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n';

let h: Harness;
let forge: ForgeStandIn;
let forgeRoot: string;
let work: string;

/** A commit on the forge: pushed straight into its bare repository with plain git. */
async function commitOnForge(repo: string, message: string, ref = 'refs/heads/main'): Promise<string> {
  await writeFile(join(work, 'README'), `${message}\n`);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', message);
  await git(work, 'push', '-q', '--force', join(forgeRoot, repo), `HEAD:${ref}`);
  return git(work, 'rev-parse', 'HEAD');
}

interface Delivery {
  kind: 'github' | 'gitlab' | 'gitea';
  event: string;
  payload: unknown;
  id: string;
  /** Overrides the signature (GitHub, Gitea) or token (GitLab) header. */
  sign?: string | null;
  body?: string;
}

function headersFor(d: Delivery, body: string): Record<string, string> {
  const hmac = createHmac('sha256', secret).update(body).digest('hex');
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (d.kind === 'github') Object.assign(h, { 'x-github-event': d.event, 'x-github-delivery': d.id, ...(d.sign !== null && { 'x-hub-signature-256': d.sign ?? `sha256=${hmac}` }) });
  if (d.kind === 'gitea') Object.assign(h, { 'x-gitea-event': d.event, 'x-gitea-delivery': d.id, ...(d.sign !== null && { 'x-gitea-signature': d.sign ?? hmac }) });
  if (d.kind === 'gitlab') Object.assign(h, { 'x-gitlab-event': d.event, 'x-gitlab-event-uuid': d.id, ...(d.sign !== null && { 'x-gitlab-token': d.sign ?? secret }) });
  return h;
}

async function deliver(project: string, d: Delivery): Promise<{ status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const body = d.body ?? JSON.stringify(d.payload);
  const res = await fetch(`${h.slipway.url}/api/webhooks/${project}`, { method: 'POST', headers: headersFor(d, body), body });
  return { status: res.status, json: (await res.json()) as never };
}

const runsOf = (project: string) => h.api<RunView[]>(`/api/runs?project=${project}`);
const zero = '0'.repeat(40);

async function linkProject(project: string, kind: Delivery['kind'], repo: string): Promise<void> {
  await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: project }) });
  await exec('git', ['init', '-q', '--bare', join(forgeRoot, repo)]);
  await h.api(`/api/projects/${project}/forge`, { method: 'PUT', body: JSON.stringify({ kind, url: `${forge.url}/${repo}`, secret, token }) });
}

before(async () => {
  h = await startHarness({ env: { SLIPWAY_RUNNER_ENABLED: 'false' } });
  forgeRoot = await mkdtemp(join(tmpdir(), 'slipway-forge-'));
  await mkdir(join(forgeRoot, 'o'));
  forge = await startForgeStandIn(forgeRoot);
  work = await mkdtemp(join(tmpdir(), 'slipway-forge-work-'));
  await git(work, 'init', '-q', '-b', 'main');
  await mkdir(join(work, '.slipway/workflows'), { recursive: true });
  await writeFile(join(work, '.slipway/workflows/ci.yml'), workflow);
});

after(async () => {
  await h?.stop();
  await forge?.close();
  await removeDir(forgeRoot);
  await removeDir(work);
  await removeDir(h.dataDir);
});

void describe('forge webhooks', () => {
  test('GitHub: refusals first, then a push mirrors the commit, starts one run, and its statuses go back', async () => {
    await linkProject('hello', 'github', 'o/hello.git');
    const view = await h.api<Record<string, unknown>>('/api/projects/hello/forge');
    assert.deepEqual([view.kind, view.hasToken, view.webhookPath, 'secret' in view, 'token' in view], ['github', true, '/api/webhooks/hello', false, false]);
    const sha = await commitOnForge('o/hello.git', 'first');
    const payload = { ref: 'refs/heads/main', before: zero, after: sha, pusher: { name: 'octocat' }, repository: { full_name: 'o/hello' } };

    const unsigned = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-0', sign: null });
    assert.deepEqual([unsigned.status, unsigned.json.error?.code, unsigned.json.error?.message], [401, 'SIGNATURE_INVALID', 'webhook for project hello refused: missing X-Hub-Signature-256 header']);
    const forged = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-0', sign: `sha256=${'0'.repeat(64)}` });
    assert.deepEqual([forged.status, forged.json.error?.code], [401, 'SIGNATURE_INVALID']);
    const tampered = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-0', sign: `sha256=${createHmac('sha256', secret).update('{}').digest('hex')}` });
    assert.equal(tampered.status, 401, 'signed over another body');
    const unknown = await deliver('nope', { kind: 'github', event: 'push', payload, id: 'd-0' });
    assert.deepEqual([unknown.status, unknown.json.error?.message], [404, 'no forge webhook is configured for project nope']);
    const big = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-0', body: JSON.stringify({ ...payload, pad: 'x'.repeat(6 * 1024 * 1024) }) });
    assert.deepEqual([big.status, big.json.error?.code], [413, 'PAYLOAD_TOO_LARGE']);
    const malformed = await deliver('hello', { kind: 'github', event: 'push', payload: { ...payload, after: 'main' }, id: 'd-0' });
    assert.deepEqual([malformed.status, malformed.json.error?.message], [400, 'GitHub push payload: after: expected a 40-hex commit id']);
    const noId = await fetch(`${h.slipway.url}/api/webhooks/hello`, { method: 'POST', headers: { ...headersFor({ kind: 'github', event: 'push', payload, id: '' }, JSON.stringify(payload)), 'x-github-delivery': '' }, body: JSON.stringify(payload) });
    assert.equal(noId.status, 400);
    assert.deepEqual(await runsOf('hello'), [], 'nothing partial: no run');
    const audit = await h.api<{ action: string; project: string }[]>('/api/audit?action=webhook.refused');
    assert.ok(audit.filter((e) => e.project === 'hello').length >= 3, 'refused signatures are audited');

    const ping = await deliver('hello', { kind: 'github', event: 'ping', payload: { zen: 'hi' }, id: 'p-1' });
    assert.deepEqual([ping.status, ping.json.pong], [200, true]);

    forge.failNext(1); // the first status call fails: the outbox retries it
    const ok = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-1' });
    assert.equal(ok.status, 202, JSON.stringify(ok.json));
    assert.deepEqual([ok.json.ref, ok.json.after], ['refs/heads/main', sha]);
    const [run] = await waitFor('the run', async () => ((await runsOf('hello')).length > 0 ? runsOf('hello') : undefined));
    assert.deepEqual([run!.event, run!.ref, run!.sha, run!.status], ['push', 'refs/heads/main', sha, 'queued']);
    // The commit is in Slipway's own repository now: a clone through Slipway has it.
    const { stdout } = await exec('git', ['ls-remote', `${h.slipway.url}/git/hello.git`, 'refs/heads/main'], { env: gitAuthEnv(h.slipway.adminToken) });
    assert.equal(stdout.split('\t')[0], sha);

    const again = await deliver('hello', { kind: 'github', event: 'push', payload, id: 'd-1' });
    assert.deepEqual([again.status, again.json.duplicate], [200, true], 'a redelivery starts nothing');
    assert.equal((await runsOf('hello')).length, 1);

    const statuses = () => forge.received.filter((r) => r.path === `/api/v3/repos/o/hello/statuses/${sha}`);
    const pending = await waitFor('the pending status, retried', async () => (statuses().length >= 2 ? statuses() : undefined), 20_000);
    assert.equal(pending[0]!.headers.authorization, `Bearer ${token}`);
    assert.deepEqual(JSON.parse(pending[1]!.body), { state: 'pending', context: 'slipway/ci', target_url: `${h.slipway.url}/p/hello/runs/1`, description: 'run hello#1 (ci) queued' });

    await h.api(`/api/runs/${run!.id}/cancel`, { method: 'POST' });
    const last = await waitFor('the final status', async () => statuses().find((r) => JSON.parse(r.body).state === 'error'), 20_000);
    assert.equal(JSON.parse(last.body).description, 'run hello#1 (ci) cancelled');
    const log = await waitFor('the delivery log', async () => {
      const l = await h.api<{ target: string; state: string; status: string; attempts: number; responseCode: number }[]>('/api/projects/hello/deliveries');
      return l.filter((d) => d.target === 'status' && d.status === 'delivered').length >= 2 ? l : undefined;
    });
    const first = log.find((d) => d.state === 'pending')!;
    assert.deepEqual([first.status, first.attempts, first.responseCode], ['delivered', 2, 201]);

    // A deleted branch mirrors the deletion and starts nothing.
    const gone = await deliver('hello', { kind: 'github', event: 'push', payload: { ...payload, before: sha, after: zero }, id: 'd-2' });
    assert.equal(gone.status, 202);
    await assert.rejects(exec('git', ['rev-parse', '--verify', 'refs/heads/main'], { cwd: join(h.dataDir, 'git/hello.git') }));
    assert.equal((await runsOf('hello')).length, 1);
  });

  test('GitLab: the shared token, a tag push, statuses in GitLab words', async () => {
    await linkProject('lab', 'gitlab', 'o/lab.git');
    const sha = await commitOnForge('o/lab.git', 'tagged', 'refs/tags/v1.0.0');
    const payload = { object_kind: 'tag_push', ref: 'refs/tags/v1.0.0', before: zero, after: sha, user_username: 'tanuki' };
    const wrong = await deliver('lab', { kind: 'gitlab', event: 'Tag Push Hook', payload, id: 'g-1', sign: 'not-the-secret' });
    assert.deepEqual([wrong.status, wrong.json.error?.message], [401, "webhook for project lab refused: X-Gitlab-Token does not match the project's webhook secret"]);
    const missingUser = await deliver('lab', { kind: 'gitlab', event: 'Tag Push Hook', payload: { ...payload, user_username: undefined }, id: 'g-1' });
    assert.deepEqual([missingUser.status, missingUser.json.error?.message], [400, 'GitLab Tag Push Hook payload: user_username: Invalid input: expected string, received undefined']);
    const ok = await deliver('lab', { kind: 'gitlab', event: 'Tag Push Hook', payload, id: 'g-1' });
    assert.equal(ok.status, 202, JSON.stringify(ok.json));
    const [run] = await waitFor('the tag run', async () => ((await runsOf('lab')).length > 0 ? runsOf('lab') : undefined));
    assert.deepEqual([run!.ref, run!.sha], ['refs/tags/v1.0.0', sha]);
    const path = `/api/v4/projects/o%2Flab/statuses/${sha}`;
    const pending = await waitFor('the GitLab status', async () => forge.received.find((r) => r.path === path), 20_000);
    assert.deepEqual([pending.headers.authorization, JSON.parse(pending.body).state, JSON.parse(pending.body).name], [`Bearer ${token}`, 'pending', 'slipway/ci']);
    await h.api(`/api/runs/${run!.id}/cancel`, { method: 'POST' });
    await waitFor('canceled', async () => forge.received.find((r) => r.path === path && JSON.parse(r.body).state === 'canceled'), 20_000);
  });

  test('Gitea: HMAC in X-Gitea-Signature, `token` auth, notifications signed and logged', async () => {
    await linkProject('tea', 'gitea', 'o/tea.git');
    const hooks = [
      await h.api<{ id: string; target: string }>('/api/projects/tea/notifications', { method: 'POST', body: JSON.stringify({ kind: 'json', url: `${forge.url}/hooks/json`, secret: 'receiver-secret-0123' }) }),
      await h.api<{ id: string; target: string }>('/api/projects/tea/notifications', { method: 'POST', body: JSON.stringify({ kind: 'slack', url: `${forge.url}/hooks/slack/T000/B000/XXXX`, secret: 'receiver-secret-0123' }) }),
    ];
    assert.equal(hooks[1]!.target, `${forge.url}/…`, 'a Slack URL is a credential: only its origin is shown');
    const sha = await commitOnForge('o/tea.git', 'tea');
    const payload = { ref: 'refs/heads/main', before: zero, after: sha, pusher: { login: 'gitea-user' } };
    assert.equal((await deliver('tea', { kind: 'gitea', event: 'push', payload, id: 't-1', sign: 'ab'.repeat(32) })).status, 401);
    assert.equal((await deliver('tea', { kind: 'gitea', event: 'push', payload, id: 't-1' })).status, 202);
    const [run] = await waitFor('the run', async () => ((await runsOf('tea')).length > 0 ? runsOf('tea') : undefined));
    const path = `/api/v1/repos/o/tea/statuses/${sha}`;
    const pending = await waitFor('the Gitea status', async () => forge.received.find((r) => r.path === path), 20_000);
    assert.equal(pending.headers.authorization, `token ${token}`);
    await h.api(`/api/runs/${run!.id}/cancel`, { method: 'POST' });
    const json = await waitFor('the JSON notification', async () => forge.received.find((r) => r.path === '/hooks/json'), 20_000);
    const slack = await waitFor('the Slack notification', async () => forge.received.find((r) => r.path.startsWith('/hooks/slack/')), 20_000);
    for (const r of [json, slack]) assert.equal(r.headers['x-slipway-signature-256'], `sha256=${createHmac('sha256', 'receiver-secret-0123').update(r.body).digest('hex')}`);
    assert.deepEqual(JSON.parse(json.body), { event: 'run', project: 'tea', status: 'cancelled', sha, url: `${h.slipway.url}/p/tea/runs/1`, run: { id: run!.id, number: 1, workflow: '.slipway/workflows/ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', attempt: 1 } });
    assert.deepEqual(JSON.parse(slack.body), { text: `run tea#1 (ci) cancelled: <${h.slipway.url}/p/tea/runs/1|details> (${sha.slice(0, 7)})` });
    const log = await waitFor('both in the delivery log', async () => {
      const l = await h.api<{ target: string; status: string; url: string }[]>('/api/projects/tea/deliveries');
      return hooks.every((hk) => l.some((d) => d.target === hk.id && d.status === 'delivered')) ? l : undefined;
    });
    assert.ok(log.every((d) => !d.url.includes('XXXX')), 'the log never shows a hook URL past its origin');
    assert.deepEqual((await h.api<{ id: string }[]>('/api/projects/tea/notifications')).map((x) => x.id), hooks.map((x) => x.id));
  });

  test('GitHub workflow_dispatch: the workflow runs at the mirrored head of the ref, with its inputs, once', async () => {
    await linkProject('disp', 'github', 'o/disp.git');
    await writeFile(join(work, '.slipway/workflows/manual.yml'), 'name: manual\non:\n  workflow_dispatch:\n    inputs:\n      who: { type: string, default: nobody }\njobs:\n  hi:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n');
    const sha = await commitOnForge('o/disp.git', 'dispatchable');
    assert.equal((await deliver('disp', { kind: 'github', event: 'push', payload: { ref: 'refs/heads/main', after: sha, pusher: { name: 'octocat' } }, id: 'w-0' })).status, 202);
    const payload = { ref: 'refs/heads/main', workflow: '.github/workflows/manual.yml', inputs: { who: 'octocat' }, sender: { login: 'octocat' } };
    const started = await deliver('disp', { kind: 'github', event: 'workflow_dispatch', payload, id: 'w-1' });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const again = await deliver('disp', { kind: 'github', event: 'workflow_dispatch', payload, id: 'w-1' });
    assert.deepEqual([again.status, again.json.duplicate], [200, true]);
    const missing = await deliver('disp', { kind: 'github', event: 'workflow_dispatch', payload: { ...payload, workflow: '.github/workflows/nope.yml' }, id: 'w-2' });
    assert.deepEqual([missing.status, missing.json.error?.code], [404, 'NOT_FOUND']);
    const runs = await waitFor('both runs', async () => {
      const r = await runsOf('disp');
      return r.length >= 2 ? r : undefined;
    });
    const manual = runs.find((r) => r.event === 'workflow_dispatch')!;
    assert.deepEqual([manual.name, manual.sha, manual.inputs, runs.length], ['manual', sha, { who: 'octocat' }, 2]);
    await rm(join(work, '.slipway/workflows/manual.yml'));
  });

  test('a fetch from the forge that fails records nothing, and the same delivery succeeds later', async () => {
    await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'flaky' }) });
    await h.api('/api/projects/flaky/forge', { method: 'PUT', body: JSON.stringify({ kind: 'github', url: `${forge.url}/o/flaky.git`, secret, token }) });
    const sha = await git(work, 'rev-parse', 'HEAD');
    const payload = { ref: 'refs/heads/main', after: sha, pusher: { name: 'octocat' } };
    const failed = await deliver('flaky', { kind: 'github', event: 'push', payload, id: 'f-1' });
    assert.deepEqual([failed.status, failed.json.error?.code], [500, 'EXEC_FAILED']);
    assert.match(failed.json.error!.message, /^git fetch http:\/\/127\.0\.0\.1:\d+\/o\/flaky\.git refs\/heads\/main failed \(exit 128\)/);
    assert.ok(!JSON.stringify(failed.json).includes(h.dataDir), 'the server\'s paths are not told to the forge');
    assert.ok(!JSON.stringify(failed.json).includes(token), 'nor the token');
    assert.deepEqual(await runsOf('flaky'), []);
    await exec('git', ['init', '-q', '--bare', join(forgeRoot, 'o/flaky.git')]);
    await git(work, 'push', '-q', join(forgeRoot, 'o/flaky.git'), 'HEAD:refs/heads/main');
    assert.equal((await deliver('flaky', { kind: 'github', event: 'push', payload, id: 'f-1' })).status, 202, 'the forge\'s retry of the same delivery');
    await waitFor('the run', async () => ((await runsOf('flaky')).length === 1 ? true : undefined));
  });

  test('git push prints the runs it started through the sideband', async () => {
    await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'pushed' }) });
    await writeFile(join(work, 'README'), 'pushed\n');
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', 'pushed');
    const r = await exec('git', ['push', `${h.slipway.url}/git/pushed.git`, 'HEAD:refs/heads/main'], { cwd: work, env: gitAuthEnv(h.slipway.adminToken) });
    assert.match(r.stderr, new RegExp(`^remote: run pushed#1 queued: ${h.slipway.url.replace(/[.]/g, '\\.')}/p/pushed/runs/1\\s*$`, 'm'), r.stderr);
    // A push that starts nothing (a deleted branch) prints nothing of the kind.
    await exec('git', ['push', `${h.slipway.url}/git/pushed.git`, 'HEAD:refs/heads/topic'], { cwd: work, env: gitAuthEnv(h.slipway.adminToken) });
    const del = await exec('git', ['push', `${h.slipway.url}/git/pushed.git`, ':refs/heads/topic'], { cwd: work, env: gitAuthEnv(h.slipway.adminToken) });
    assert.doesNotMatch(del.stderr, /remote: run/);
  });

  test('the CLI: forge set/show/rm, notify add/list/deliveries/rm; secrets come from files', async () => {
    const cli = (...args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
    await h.api('/api/projects', { method: 'POST', body: JSON.stringify({ name: 'clip' }) });
    const secretFile = join(forgeRoot, `secret-${Date.now()}`);
    await writeFile(secretFile, `${secret}\n`);
    const set = await cli('forge', 'set', 'clip', '--kind', 'github', '--url', 'https://github.com/o/clip.git', '--secret-file', secretFile);
    assert.deepEqual([set.code, set.stdout], [0, `project clip mirrors https://github.com/o/clip.git (github); webhook URL: ${h.slipway.url}/api/webhooks/clip; no token: no commit statuses\n`], set.stderr);
    const show = await cli('forge', 'show', 'clip', '--json');
    assert.deepEqual(JSON.parse(show.stdout).hasToken, false);
    const fileUrl = await cli('forge', 'set', 'clip', '--kind', 'github', '--url', `file://${forgeRoot}/o/hello.git`, '--secret-file', secretFile);
    assert.equal(fileUrl.code, 1);
    assert.match(fileUrl.stderr, /url: only http\(s\) clone URLs are mirrored, not file:/, 'no reading other repositories on the server');
    const short = join(forgeRoot, `short-${Date.now()}`);
    await writeFile(short, 'short');
    assert.match((await cli('forge', 'set', 'clip', '--kind', 'github', '--url', 'https://github.com/o/clip.git', '--secret-file', short)).stderr, /secret: at least 16 characters/);
    const add = await cli('notify', 'add', 'clip', '--kind', 'slack', '--url', 'https://hooks.slack.com/services/T/B/SECRETPART', '--secret-file', secretFile);
    assert.match(add.stdout, /^notification webhook hook_\S+ \(slack\) added to clip: https:\/\/hooks\.slack\.com\/…\n$/, add.stderr);
    const list = await cli('notify', 'list', 'clip');
    assert.match(list.stdout, /^ID\s+KIND\s+TARGET/);
    assert.doesNotMatch(list.stdout, /SECRETPART/);
    assert.equal((await cli('notify', 'deliveries', 'clip')).stdout, 'nothing sent out for clip yet\n');
    const id = /hook_\S+/.exec(add.stdout)![0];
    assert.equal((await cli('notify', 'rm', 'clip', id)).stdout, `notification webhook ${id} removed from clip\n`);
    assert.equal((await cli('forge', 'rm', 'clip')).stdout, 'project clip no longer mirrors a forge\n');
    const deliveries = await cli('notify', 'deliveries', 'tea');
    assert.match(deliveries.stdout, /^WHEN\s+TO\s+ABOUT\s+STATE\s+RESULT/);
    assert.match(deliveries.stdout, /status\s+run run_\S+\s+pending\s+delivered 201/);
  });
});
