// Releases moving between environments without rebuilds, on the local target: two pushes
// make two releases; two manual deploys to one environment run one after the other; a
// rollback to a release whose image was removed from the host pulls it again by digest; a
// promotion moves dev's digest to staging; a secret reaches the app but not the logs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, helloWorkingCopy, commitAndPush, deploymentSettled, pushDeployment, deploymentLog, freePort, removeDir, podman, git, type Harness } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';
import type { DeploymentView } from '../support/api-views.ts';

const secretValue = `s3cret-${process.pid}-${Date.now()}`;

describe('releases, rollback, promotion, locks and secrets (local target)', () => {
  let h: Harness;
  let repo: string;
  let devPort: number;
  let stagingPort: number;
  let instance = '';
  let sha1 = '';
  let sha2 = '';

  const post = (path: string, body: unknown) => h.api<DeploymentView>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const envPath = (env: string, what: string) => `/api/projects/hello/environments/${env}/${what}`;
  const settled = (id: string) => deploymentSettled(h, id, 60_000);
  const pushDeployed = (sha: string) => pushDeployment(h, 'hello', 'dev', sha, 60_000);
  const get = async (port: number, path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).text()).trim();
  const logOf = (id: string) => deploymentLog(h, id);
  const containers = async (env: string) =>
    (await podman('ps', '--filter', `label=slipway.instance=${instance}`, '--filter', 'label=slipway.project=hello', '--filter', `label=slipway.environment=${env}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);

  before(async () => {
    h = await startHarness();
    instance = (await readFile(join(h.dataDir, 'instance.id'), 'utf8')).trim();
    devPort = await freePort();
    stagingPort = await freePort();
    repo = await helloWorkingCopy(devPort);
    const deployFile = join(repo, '.slipway/deploy.yml');
    const deployYml = (await readFile(deployFile, 'utf8'))
      .replace('  clear: { GREETING: hello }\n', '  clear: { GREETING: hello }\n  secret: [API_KEY]\n')
      .replace(/( {2}dev: .*\n)/, `$1  staging: { promote_from: dev, hosts: [local], publish: ${stagingPort} }\n`);
    await writeFile(deployFile, deployYml);
    // The app writes the secret it was given into a file it serves.
    const containerfile = join(repo, 'Containerfile');
    await writeFile(containerfile, (await readFile(containerfile, 'utf8')).replace(/^CMD .*$/m, `CMD ["sh", "-c", "echo \\"$API_KEY\\" > /www/secret; exec httpd -f -v -p 8080 -h /www"]`));
    await h.api('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'hello' }) });
    for (const env of ['dev', 'staging']) {
      await h.api(envPath(env, 'secrets/API_KEY'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: secretValue }) });
    }
  });

  after(async () => {
    await h?.stop();
    const all = (await podman('ps', '-a', '--filter', `label=slipway.instance=${instance}`, '--format', '{{.Names}}').catch(() => '')).split('\n').filter(Boolean);
    for (const name of all) await podman('rm', '-f', name).catch(() => {});
    await removeDir(repo);
    await removeDir(h.dataDir);
  });

  it('two pushes make two releases; the app gets its secret, the log and the command line do not', async () => {
    sha1 = await commitAndPush(repo, h, 'hello', 'first');
    const d1 = await pushDeployed(sha1);
    assert.equal(d1.status, 'success', d1.error ?? '');
    assert.equal(await get(devPort, '/up'), sha1);
    assert.equal(await get(devPort, '/secret'), secretValue);
    const log = await logOf(d1.id);
    assert.match(log, /Secrets: API_KEY/);
    assert.match(log, /\$ sh -c .*"\$engine" run --env-file "\$d\/env" .* --detach /);
    assert.ok(!log.includes(secretValue), 'the deployment log does not contain the secret');
    const [container] = await containers('dev');
    const inspect = await podman('inspect', container!);
    const createCommand = ((JSON.parse(inspect) as { Config: { CreateCommand?: string[] } }[])[0]!.Config.CreateCommand ?? []).join(' ');
    assert.match(createCommand, /--env-file/);
    assert.ok(!createCommand.includes(secretValue), 'the command line podman records holds no value');

    await writeFile(join(repo, 'www/index.html'), '<h1>Hello from Slipway</h1><p>version 2</p>\n');
    sha2 = await commitAndPush(repo, h, 'hello', 'second');
    assert.equal((await pushDeployed(sha2)).status, 'success');
    assert.equal(await get(devPort, '/up'), sha2);
    const releases = await h.api<{ sha: string }[]>('/api/releases?project=hello');
    assert.deepEqual(releases.map((r) => r.sha).sort(), [sha1, sha2].sort());
  });

  it('two concurrent deploys to one environment: the second waits for the lock, both succeed, in order', async () => {
    // One after the other, so `a` is first in the queue; `b` is asked for while `a` runs.
    const a = await post(envPath('dev', 'deployments'), { commit: sha1 });
    const b = await post(envPath('dev', 'deployments'), { commit: sha2 });
    assert.deepEqual([a.trigger, a.triggeredBy], ['manual', 'admin']);
    // Whether the API still shows the second one queued depends on timing (the lock view
    // itself is covered in deploy-api.test.ts); the order of start and finish does not.
    const [da, db] = [await settled(a.id), await settled(b.id)];
    assert.deepEqual([da.status, db.status], ['success', 'success'], `${da.error} ${db.error}`);
    assert.ok(Date.parse(db.startedAt!) >= Date.parse(da.finishedAt!), 'the second started after the first finished');
    assert.equal(await get(devPort, '/up'), sha2);
    assert.equal((await containers('dev')).length, 1);
  });

  it('rolls dev back to the previous release, pulling its image again by digest after `podman rmi`', async () => {
    const release1 = (await h.api<{ id: string; sha: string; image: string; digest: string }[]>('/api/releases?project=hello')).find((r) => r.sha === sha1)!;
    const ref = `${new URL(h.slipway.url).host}/${release1.image}@${release1.digest}`;
    const imageId = await podman('image', 'inspect', '--format', '{{.Id}}', ref);
    await podman('rmi', '-f', imageId);
    await assert.rejects(podman('image', 'inspect', ref));
    const r = await post(envPath('dev', 'rollbacks'), {});
    assert.deepEqual([r.trigger, r.release?.sha], ['rollback', sha1]);
    const done = await settled(r.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.match(await logOf(r.id), /\$ sh -c .*"\$engine" pull --authfile .*@sha256:/);
    assert.equal(await get(devPort, '/up'), sha1);
    assert.equal(await get(devPort, '/secret'), secretValue);
  });

  it('promotes dev to staging: the same digest, not rebuilt', async () => {
    const p = await post(envPath('staging', 'promotions'), { from: 'dev' });
    assert.deepEqual([p.trigger, p.release?.sha], ['promotion', sha1]);
    const done = await settled(p.id);
    assert.equal(done.status, 'success', done.error ?? '');
    assert.equal(await get(stagingPort, '/up'), sha1);
    assert.equal(await get(stagingPort, '/secret'), secretValue);
    const envs = await h.api<{ environment: string; release: string }[]>('/api/environments?project=hello');
    const byEnv = Object.fromEntries(envs.map((e) => [e.environment, e.release]));
    assert.equal(byEnv.staging, byEnv.dev);
    const digest = async (env: string) => podman('inspect', '--format', '{{.ImageDigest}}', (await containers(env))[0]!);
    assert.equal(await digest('staging'), await digest('dev'));
    assert.equal(await digest('staging'), done.release?.digest);
    assert.ok(!(await logOf(p.id)).includes(secretValue));
  });

  it("delivery metrics of dev count these deployments: the rollback marks the release it replaced a change failure", async () => {
    const m = await h.api<{
      environment: string; days: number; deployment_frequency: { total: number }; lead_time_seconds: { median: number; p90: number };
      change_failure_rate: number; time_to_restore_seconds: { median: number | null }; series: { date: string; deployments: number; failures: number }[];
    }>('/api/projects/hello/metrics?environment=dev&days=30');
    const deployments = (await h.api<DeploymentView[]>('/api/deployments?project=hello&env=dev')).filter((d) => d.status === 'success');
    // Two pushes, two manual deploys and a rollback (not a change) succeeded; the manual
    // deploy of sha2 is the one the rollback replaced.
    assert.deepEqual(deployments.map((d) => d.trigger).sort(), ['manual', 'manual', 'push', 'push', 'rollback']);
    assert.equal(m.environment, 'dev');
    assert.equal(m.deployment_frequency.total, 4);
    assert.equal(m.change_failure_rate, 0.25);
    assert.equal(m.time_to_restore_seconds.median, null);
    // Lead time: the commit's committer time (read from the working copy here) to serving.
    const committed = async (sha: string) => Number(await git(repo, 'log', '-1', '--format=%ct', sha)) * 1000;
    const leads: number[] = [];
    for (const d of deployments.filter((x) => x.trigger !== 'rollback')) leads.push(Math.round((Date.parse(d.finishedAt!) - (await committed(d.release!.sha))) / 1000));
    leads.sort((a, b) => a - b);
    assert.deepEqual(m.lead_time_seconds, { median: leads[1], p90: leads[3] });
    assert.equal(m.series.length, 30);
    assert.equal(m.series.reduce((a, s) => a + s.deployments, 0), 4);
    const cli = await runCli(['metrics', 'hello', '--env', 'dev', '--json'], { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout) as typeof m;
    assert.deepEqual({ ...fromCli, series: fromCli.series.length }, { ...m, series: m.series.length });
    const text = await runCli(['metrics', 'hello', '--env', 'dev'], { env: { PATH: process.env.PATH, HOME: h.dataDir, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
    const lines = text.stdout.trim().split('\n').map((l) => l.replace(/ +/g, ' '));
    assert.deepEqual([lines[0], lines[1], lines[3], lines[4]], ['hello dev, last 30 days', 'deployment frequency 4 (0.93 a week)', 'change failure rate 25 %', 'time to restore median —']);
    assert.match(lines[2]!, /^lead time for changes median \d+ (s|min), p90 \d+ (s|min)$/);
  });
});
