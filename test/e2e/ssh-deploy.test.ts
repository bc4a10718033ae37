// Deployments to real SSH hosts: three network-namespace hosts, each with its own sshd and
// podman storage (test/support/netns-hosts.ts), reached with the platform's own key.
// Blue-green across two hosts, a gated rolling promotion to three, a rollback whose image
// was removed from a host, a failing health check that leaves the old release serving,
// an unreachable host that makes the hosts already switched go back, and a changed host key.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, helloWorkingCopy, commitAndPush, deploymentSettled, pushDeployment, deploymentLog, removeDir, type Harness } from '../support/harness.ts';
import type { DeploymentView } from '../support/api-views.ts';
import { startTestHosts, type TestHost } from '../support/netns-hosts.ts';

describe('deploying to SSH hosts', () => {
  let h: Harness;
  let hosts: TestHost[];
  let closeHosts: () => Promise<void>;
  let repo: string;
  let deployYml = '';
  const shas: string[] = [];

  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const envPath = (env: string, what: string) => `/api/projects/hello/environments/${env}/${what}`;
  const settled = (id: string) => deploymentSettled(h, id, 180_000);
  const pushDeployed = (sha: string) => pushDeployment(h, 'hello', 'dev', sha, 180_000);
  const logOf = (id: string) => deploymentLog(h, id);
  /** What the environment's proxy on `host` serves at /up (the commit of the release). */
  const serving = async (host: TestHost, port: number) => (await (await fetch(`http://${host.ip}:${port}/up`)).text()).trim();
  const appContainers = async (host: TestHost) =>
    (await host.podman(['ps', '--filter', 'label=slipway.project=hello', '--filter', 'label=slipway.environment=dev', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);

  before(async () => {
    h = await startHarness();
    const { publicKey } = await h.api<{ publicKey: string }>('/api/hosts/key');
    assert.match(publicKey, /^ssh-ed25519 AAAA/);
    ({ hosts, close: closeHosts } = await startTestHosts({ count: 3, authorizedKey: publicKey }));
    repo = await helloWorkingCopy(8081);
    const [h1, h2, h3] = hosts.map((x) => `"${x.url}"`);
    deployYml = (await readFile(join(repo, '.slipway/deploy.yml'), 'utf8')).replace(/ {2}dev: .*\n/, [
      `  dev: { branch: develop, hosts: [${h1}, ${h2}], publish: 8080 }`,
      `  production: { promote_from: dev, hosts: [${h1}, ${h2}, ${h3}], strategy: rolling, batch_size: 1, publish: 9090, approval: { required: 1 } }`,
      '',
    ].join('\n'));
    await writeFile(join(repo, '.slipway/deploy.yml'), deployYml);
    await h.api('/api/projects', json({ name: 'hello' }));
  });

  after(async () => {
    await h?.stop();
    await closeHosts?.();
    if (repo) await removeDir(repo);
  });

  it('blue-green to two hosts: each host pulls through the tunnel, checks, switches; every command is in the log', async () => {
    shas.push(await commitAndPush(repo, h, 'hello', 'v1'));
    const first = await pushDeployed(shas[0]!);
    assert.equal(first.status, 'success', first.error ?? '');
    assert.deepEqual(first.hosts.map((x) => [x.host, x.status]), [[hosts[0]!.url, 'success'], [hosts[1]!.url, 'success']]);
    for (const host of hosts.slice(0, 2)) assert.equal(await serving(host, 8080), shas[0]);

    shas.push(await commitAndPush(repo, h, 'hello', 'v2'));
    const second = await pushDeployed(shas[1]!);
    assert.equal(second.status, 'success', second.error ?? '');
    for (const host of hosts.slice(0, 2)) {
      assert.equal(await serving(host, 8080), shas[1]);
      assert.equal((await appContainers(host)).length, 1, 'the old container is gone');
    }
    const log = await logOf(second.id);
    assert.match(log, new RegExp(`\\[${hosts[0]!.url.replace(/[.]/g, '\\.')}\\] \\$ sh -c .* run --env-file .* --detach `));
    assert.match(log, /proxy: set server app\/\w+ addr 127\.0\.0\.1 port \d+/);
    const known = await h.api<{ address: string; fingerprint: string }[]>('/api/hosts');
    assert.deepEqual(known.map((k) => k.address).sort(), hosts.slice(0, 2).map((x) => `${x.ip}:22`).sort());
    assert.equal(known.find((k) => k.address === `${hosts[0]!.ip}:22`)!.fingerprint, await hosts[0]!.hostKeyFingerprint());
  });

  it('promotion to a gated environment waits for approval, then rolls host by host', async () => {
    const d = await h.api<DeploymentView>(envPath('production', 'promotions'), json({ from: 'dev' }));
    assert.equal(d.status, 'waiting_for_approval');
    // A second person approves: the admin asked for the promotion (and pushed the commit).
    const { token } = await h.api<{ token: string }>('/api/users', json({ name: 'reviewer' }));
    // Approvers are the project's maintainers (or approval.approvers).
    await h.api('/api/projects/hello/members/reviewer', { method: 'PUT', body: JSON.stringify({ role: 'maintainer' }), headers: { 'content-type': 'application/json' } });
    const approved = (await (await fetch(`${h.slipway.url}/api/deployments/${d.id}/approvals`, { ...json({ decision: 'approve' }), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })).json()) as DeploymentView;
    assert.equal(approved.approvals.length, 1);
    const done = await settled(d.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.deepEqual(done.hosts.map((x) => x.status), ['success', 'success', 'success']);
    for (const host of hosts) assert.equal(await serving(host, 9090), shas[1]);
    // Rolling: a host finishes before the next one starts.
    for (let i = 1; i < done.hosts.length; i++) assert.ok(done.hosts[i]!.startedAt! >= done.hosts[i - 1]!.finishedAt!, JSON.stringify(done.hosts));
  });

  it('rollback re-deploys the previous release, pulling it again where the image was removed', async () => {
    const v1Release = (await h.api<{ id: string; sha: string; digest: string }[]>('/api/releases?project=hello')).find((r) => r.sha === shas[0])!;
    // v2 runs (its image is in use); v1's image is removed from host 1.
    await hosts[0]!.podman(['image', 'prune', '--all', '--force']);
    assert.ok(!(await hosts[0]!.podman(['images', '--digests', '--format', '{{.Digest}}'])).stdout.includes(v1Release.digest));
    const d = await h.api<DeploymentView>(envPath('dev', 'rollbacks'), json({ to: v1Release.id }));
    const done = await settled(d.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.equal(done.trigger, 'rollback');
    for (const host of hosts.slice(0, 2)) assert.equal(await serving(host, 8080), shas[0]);
  });

  it('a release failing its health check on the hosts leaves the old release serving everywhere', async () => {
    await writeFile(join(repo, '.slipway/deploy.yml'), deployYml.replace('path: /up, interval: 200ms, timeout: 2s, deadline: 30s', 'path: /missing, interval: 200ms, timeout: 1s, deadline: 1s'));
    const sha = await commitAndPush(repo, h, 'hello', 'v3: broken health check');
    await writeFile(join(repo, '.slipway/deploy.yml'), deployYml);
    const d = await pushDeployed(sha);
    assert.equal(d.status, 'failure');
    assert.match(d.error ?? '', /HTTP 404|not healthy/);
    assert.deepEqual(d.hosts.map((x) => x.status), ['failure', 'failure']);
    for (const host of hosts.slice(0, 2)) {
      assert.equal(await serving(host, 8080), shas[0]);
      assert.equal((await appContainers(host)).length, 1, 'the failed container was removed');
    }
  });

  it('an unreachable host stops a rolling deploy; the hosts that already switched go back', async () => {
    await hosts[2]!.stopSsh();
    const releases = await h.api<{ id: string; sha: string }[]>('/api/releases?project=hello');
    // Admin-forced past the approval gate; v1 to production, where v2 runs.
    const d = await h.api<DeploymentView>(envPath('production', 'rollbacks'), json({ to: releases.find((r) => r.sha === shas[0])!.id, force: true }));
    const done = await settled(d.id);
    assert.equal(done.status, 'failure');
    assert.match(done.error ?? '', new RegExp(`${hosts[2]!.url.replace(/[.]/g, '\\.')}: cannot connect: ECONNREFUSED`));
    assert.match(done.error ?? '', /rolled back to the previous release: /);
    assert.deepEqual(done.hosts.map((x) => x.status), ['rolled_back', 'rolled_back', 'failure']);
    for (const host of hosts) assert.equal(await serving(host, 9090), shas[1]);
  });

  it('a changed host key is refused, naming both fingerprints, until an admin forgets the pin', async () => {
    await hosts[2]!.startSsh();
    const pinned = await hosts[2]!.hostKeyFingerprint();
    await hosts[2]!.regenerateHostKey();
    const releases = await h.api<{ id: string; sha: string }[]>('/api/releases?project=hello');
    const v1 = releases.find((r) => r.sha === shas[0])!.id;
    const refused = await settled((await h.api<DeploymentView>(envPath('production', 'rollbacks'), json({ to: v1, force: true }))).id);
    assert.equal(refused.status, 'failure');
    assert.ok(refused.error?.includes(pinned), refused.error ?? '');
    assert.ok(refused.error?.includes(await hosts[2]!.hostKeyFingerprint()), refused.error ?? '');
    assert.match(refused.error ?? '', /slipway hosts forget/);

    await h.api(`/api/hosts/${encodeURIComponent(`${hosts[2]!.ip}:22`)}`, { method: 'DELETE' });
    const done = await settled((await h.api<DeploymentView>(envPath('production', 'rollbacks'), json({ to: v1, force: true }))).id);
    assert.equal(done.status, 'success', done.error ?? '');
    for (const host of hosts) assert.equal(await serving(host, 9090), shas[0]);
  });
});
