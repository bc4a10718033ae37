// Protection rules come from the server, never from the release (issue 9 items 5 and 6),
// against a real server, real git pushes, real podman and a real SSH host of the attacker's
// (a network-namespace host with sshd that would accept Slipway's key). The attack of the
// issue: a member deletes approval, branches and promote_from on a new branch, points
// production's `branch:` at it and its `hosts:` at their own SSH server, and pushes.
// Production must not deploy and Slipway must not connect; the run carries a note saying
// why. Then the legitimate path: a promotion to production approved by a second person, the
// rules set on the server by an admin (stored rules win over the file), and promote_from
// refusing a release that never passed dev unless an admin forces it (audited).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startHarness, helloWorkingCopy, commitAndPush, waitFor, freePort, removeDir, git, podman, type Harness } from '../support/harness.ts';
import { finished, type DeploymentView, type RunView } from '../support/api-views.ts';
import { startTestHosts, type TestHost } from '../support/netns-hosts.ts';
import { runCli } from '../support/cli.ts';
import { gitAuthEnv } from '../../src/git/client.ts';

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('environment protection comes from the server, never from the release', () => {
  let h: Harness;
  let attacker: TestHost;
  let closeHosts: () => Promise<void>;
  let repo: string;
  let devPort: number;
  let prodPort: number;
  let instance = '';
  let devSha = '';
  let evilSha = '';
  const tokens: Record<string, string> = {};

  const call = async (method: string, path: string, body?: unknown, as?: string): Promise<{ status: number; json: Json }> => {
    const token = as ? tokens[as]! : h.slipway.adminToken;
    const res = await fetch(`${h.slipway.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const envPath = (env: string, what = '') => `/api/projects/hello/environments/${env}${what ? `/${what}` : ''}`;
  const settled = (id: string) =>
    waitFor(`deployment ${id}`, async () => {
      const d = (await call('GET', `/api/deployments/${id}`)).json as DeploymentView;
      return finished(d.status) ? d : undefined;
    }, 120_000);
  const runOf = (sha: string) =>
    waitFor(`the run of ${sha.slice(0, 7)}`, async () => {
      const runs = (await call('GET', '/api/runs?project=hello')).json as RunView[];
      const run = runs.find((r) => r.sha === sha);
      return run && finished(run.status) ? run : undefined;
    }, 180_000);
  const deploymentsOf = async (env: string) => (await call('GET', `/api/deployments?project=hello&env=${env}`)).json as DeploymentView[];
  const serving = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/up`)).text()).trim();
  const cliEnv = (as?: string) => ({ PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_DATA: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: as ? tokens[as]! : h.slipway.adminToken });

  before(async () => {
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    const { publicKey } = (await call('GET', '/api/hosts/key')).json as { publicKey: string };
    const started = await startTestHosts({ count: 1, authorizedKey: publicKey });
    attacker = started.hosts[0]!;
    closeHosts = started.close;
    devPort = await freePort();
    prodPort = await freePort();
    repo = await helloWorkingCopy(devPort);
    const deployFile = join(repo, '.slipway/deploy.yml');
    await writeFile(deployFile, `${await readFile(deployFile, 'utf8')}  production:\n    promote_from: dev\n    branches: [develop]\n    approval: { required: 1 }\n    hosts: [local]\n    publish: ${prodPort}\n`);
    await call('POST', '/api/projects', { name: 'hello' });
    for (const name of ['mallory', 'bob']) tokens[name] = (await call('POST', '/api/users', { name })).json.token;
    // mallory develops (pushes branches, deploys); bob maintains, so he may approve.
    for (const [name, role] of [['mallory', 'developer'], ['bob', 'maintainer']]) assert.equal((await call('PUT', `/api/projects/hello/members/${name}`, { role })).status, 201);
    // The first push makes develop the default branch: its deploy.yml protects the environments.
    devSha = await commitAndPush(repo, h, 'hello', 'v1');
    const dev = await waitFor('the push deployment to dev', async () => {
      const d = (await deploymentsOf('dev')).find((x) => x.release?.sha === devSha);
      return d && finished(d.status) ? d : undefined;
    }, 180_000);
    assert.equal(dev.status, 'success', dev.error ?? '');
  });

  after(async () => {
    await h?.stop();
    await closeHosts?.();
    for (const c of (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}')).split('\n').filter(Boolean)) await podman('rm', '-f', c);
    if (repo) await removeDir(repo);
  });

  it("the attack: a branch that loosens production and points it at the member's own SSH host deploys nothing there, never connects, and says why on the run", async () => {
    await git(repo, 'checkout', '-q', '-b', 'evil');
    const deployFile = join(repo, '.slipway/deploy.yml');
    const text = await readFile(deployFile, 'utf8');
    const loosened = text.slice(0, text.indexOf('  production:')) + `  production: { branch: evil, hosts: ["${attacker.url}"], publish: ${prodPort} }\n`;
    // dev too is pointed at the attacker's host; a manual deploy to dev below shows where it really goes.
    await writeFile(deployFile, loosened.replace(/hosts: \[local\], publish: \d+/, `hosts: ["${attacker.url}"], publish: ${devPort}`).replace('env:\n', 'env:\n  secret: [PROD_DB]\n'));
    const ci = join(repo, '.slipway/workflows/ci.yml');
    await writeFile(ci, (await readFile(ci, 'utf8')).replace('branches: [develop, main]', 'branches: [develop, main, evil]'));
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'evil');
    evilSha = await git(repo, 'rev-parse', 'HEAD');
    await promisify(execFile)('git', ['push', '-q', `${h.slipway.url}/git/hello.git`, 'HEAD:refs/heads/evil'], { cwd: repo, env: { ...process.env, ...gitAuthEnv(tokens.mallory!) } });

    const run = await runOf(evilSha);
    assert.equal(run.status, 'success', run.error ?? '');
    assert.equal(run.releases.length, 1, 'the branch built its release');
    const expected = [
      '.slipway/deploy.yml: environment dev changed on branch evil; protection rules take effect only once on the default branch develop',
      '.slipway/deploy.yml: environment production changed on branch evil; protection rules take effect only once on the default branch develop',
      '.slipway/deploy.yml: env.secret changed on branch evil; protection rules take effect only once on the default branch develop',
    ];
    const notes = (await call('GET', `/api/runs/${run.id}/annotations`)).json as Json[];
    assert.deepEqual(notes.map((a) => [a.level, a.message, a.file]), expected.map((m) => ['warning', m, '.slipway/deploy.yml']));
    const logs = await runCli(['logs', run.id], { env: cliEnv('mallory') });
    assert.equal(logs.code, 0, logs.stderr);
    for (const m of expected) assert.ok(logs.stderr.includes(`warning: ${m}`), logs.stderr);

    // The run finished and the deploy stage had its turn (it logs what it ignored); production got nothing.
    await waitFor('the deploy stage to ignore the branch', async () => (h.logs.some((l) => l.includes('deploys production on branch evil, but the environments\' protection does not')) ? true : undefined), 30_000);
    assert.deepEqual(await deploymentsOf('production'), []);

    // A manual deploy of that release to production: refused before anything is recorded, naming the rule.
    const manual = await call('POST', envPath('production', 'deployments'), { commit: evilSha }, 'mallory');
    assert.deepEqual([manual.status, manual.json.error.code, manual.json.error.detail.rule], [403, 'FORBIDDEN', 'promote_from']);
    assert.match(manual.json.error.message, /project hello: release \S+ \(commit [0-9a-f]{7}\) has not succeeded in dev; production takes only releases that did \(rule: promote_from\)/);
    assert.deepEqual(await deploymentsOf('production'), []);

    // dev takes manual deploys of any release: it goes where dev's protection says (local), with the
    // secret names the default branch gives (none), not where the release's file points.
    const toDev = await call('POST', envPath('dev', 'deployments'), { commit: evilSha }, 'mallory');
    assert.equal(toDev.status, 202, JSON.stringify(toDev.json));
    const done = await settled(toDev.json.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.deepEqual(done.hosts.map((x) => x.host), ['local']);
    assert.equal(await serving(devPort), evilSha);

    const pinned = (await call('GET', '/api/hosts')).json as { address: string }[];
    assert.deepEqual(pinned.filter((k) => k.address.startsWith(`${attacker.ip}:`)), [], 'Slipway never connected to the attacker host');
    assert.equal((await attacker.podman(['ps', '-a', '--format', '{{.Names}}'])).stdout.trim(), '', 'nothing ran there');
  });

  it('a promotion to production waits for a second person: the requester is refused (rule named), another user approves', async () => {
    // dev serves the evil release now; put v1 back (a rollback), then promote it.
    const back = await call('POST', envPath('dev', 'rollbacks'), { to: devSha });
    assert.equal((await settled(back.json.id)).status, 'success');
    const promoted = await call('POST', envPath('production', 'promotions'), { from: 'dev' }, 'mallory');
    assert.equal(promoted.status, 202, JSON.stringify(promoted.json));
    assert.deepEqual([promoted.json.status, promoted.json.approval.required], ['waiting_for_approval', 1]);
    const self = await call('POST', `/api/deployments/${promoted.json.id}/approvals`, { decision: 'approve' }, 'mallory');
    assert.deepEqual([self.status, self.json.error.detail.rule], [403, 'not_requester']);
    assert.match(self.json.error.message, /mallory cannot approve hello#\d+ to production: you requested this deployment: approval needs someone else \(rule: not_requester\)/);
    // The pusher of v1 is the admin: not them either.
    const pusher = await call('POST', `/api/deployments/${promoted.json.id}/approvals`, { decision: 'approve' });
    assert.deepEqual([pusher.status, pusher.json.error.detail.rule], [403, 'not_author']);
    // The built-in runner holds no credential a workflow could read (jobs get their own token,
    // which cannot approve: test/e2e/job-token.test.ts), so there is no runner account to try.
    assert.equal(existsSync(join(h.dataDir, 'runner.token')), false);
    const approve = await runCli(['approve', promoted.json.id], { env: cliEnv('bob') });
    assert.equal(approve.code, 0, approve.stderr);
    const done = await settled(promoted.json.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.equal(await serving(prodPort), devSha);
  });

  it('rules set on the server take precedence over the default branch; only admins (maintainers) set them; the CLI shows where rules come from', async () => {
    const before = await runCli(['environments', 'list', 'hello'], { env: cliEnv('mallory') });
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /production\s+local\s+1 approval\(s\)\s+develop [0-9a-f]{7}/);

    const refused = await call('PUT', envPath('production'), { hosts: [attacker.url] }, 'mallory');
    assert.deepEqual([refused.status, refused.json.error.code], [403, 'FORBIDDEN']);
    assert.match(refused.json.error.message, /missing permission environments.protect/);
    const set = await runCli(['environments', 'set', 'hello', 'production', '--approval-required', '2', '--approvers', 'bob,admin'], { env: cliEnv() });
    assert.equal(set.code, 0, set.stderr);
    const shown = (await call('GET', envPath('production'))).json;
    assert.deepEqual(shown.source.kind, 'server');
    assert.deepEqual(shown.rules.approval, { required: 2, not_author: false, approvers: ['bob', 'admin'] });
    assert.deepEqual([shown.rules.hosts, shown.rules.promote_from, shown.rules.branches], [['local'], 'dev', ['develop']], 'the keys not given stay');
    const bad = await call('PUT', envPath('production'), { hosts: ['ftp://x'], strategy: 'canary' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /hosts\[0\]: "ftp:\/\/x" is not "local" or ssh:\/\/user@host\[:port\]; strategy: "canary" is not one of blue-green, recreate, rolling/);

    // The stored rule is the gate now: 2 approvals, and only from the listed users.
    const d = await call('POST', envPath('production', 'promotions'), { from: 'dev' }, 'mallory');
    assert.deepEqual([d.json.status, d.json.approval.required], ['waiting_for_approval', 2]);
    const unlisted = await call('POST', `/api/deployments/${d.json.id}/approvals`, { decision: 'reject', reason: 'no' }, 'mallory');
    assert.deepEqual([unlisted.status, unlisted.json.error.detail.rule], [403, 'approvers']);
    assert.equal((await call('POST', `/api/deployments/${d.json.id}/approvals`, { decision: 'reject', reason: 'superseded' }, 'bob')).status, 200);

    const unset = await runCli(['environments', 'unset', 'hello', 'production'], { env: cliEnv() });
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal((await call('GET', envPath('production'))).json.source.kind, 'default-branch');
    const changes = await h.slipway.store.audit.list({ action: 'protection.change' });
    assert.ok(changes.some((e) => e.actor === 'admin' && e.project === 'hello' && e.target === 'production' && e.detail.event === 'environment.rules.set'), 'the change is audited');
  });

  it('promote_from: an admin may force a release that never passed dev, and it is audited; a member may not', async () => {
    // A release built on main never runs in dev (dev follows develop). With branches lifted on
    // the server, promote_from is what stands in its way.
    await git(repo, 'checkout', '-q', 'develop');
    const onMain = await commitAndPush(repo, h, 'hello', 'v2', 'main');
    assert.equal((await runOf(onMain)).status, 'success');
    assert.equal((await call('PUT', envPath('production'), { branches: null })).status, 200);
    const plain = await call('POST', envPath('production', 'deployments'), { commit: onMain }, 'mallory');
    assert.deepEqual([plain.status, plain.json.error.detail.rule], [403, 'promote_from']);
    const member = await call('POST', envPath('production', 'deployments'), { commit: onMain, force: true }, 'mallory');
    assert.deepEqual([member.status, member.json.error.code], [403, 'FORBIDDEN']);
    assert.match(member.json.error.message, /only an admin may deploy a release that has not succeeded in the environment promote_from names .*missing permission deploy.force_promotion/);
    assert.equal((await deploymentsOf('production')).length, 2, 'nothing recorded');
    const forced = await runCli(['deploy', 'hello', 'production', '--commit', onMain, '--force', '--json'], { env: cliEnv() });
    assert.equal(forced.code, 0, forced.stderr);
    const d = JSON.parse(forced.stdout) as Json;
    assert.equal(d.status, 'waiting_for_approval', 'force passes promote_from, not the gate');
    const forcedEntries = await h.slipway.store.audit.list({ action: 'deploy.force' });
    assert.ok(forcedEntries.some((e) => e.actor === 'admin' && e.project === 'hello' && e.target === 'production' && e.detail.skipped === 'promote_from dev'), JSON.stringify(forcedEntries));
    assert.equal((await call('POST', `/api/deployments/${d.id}/approvals`, { decision: 'reject', reason: 'only a test of force' }, 'bob')).status, 200);
    assert.equal((await call('DELETE', envPath('production'))).status, 200);
  });
});
