// Release control through the real HTTP API of a real server (startSlipway on a temp dir):
// request checks and their error codes, triggers and users, queueing behind a lock held by
// another process, secrets. Deployments here stop at the missing secret, before podman.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlipway, type Slipway } from '../slipway.ts';
import { seedReleases } from '../test-support.ts';
import { ociClient } from '../../../test/registry/oci-client.ts';
import { Secrets } from '../../auth/secrets.ts';
import { loadOrCreateSecretsKey } from '../../auth/secrets-crypto.ts';
import type { Release } from '../../store/repos/releases.ts';

/** The `environments:` of the seeded deploy.yml (service api, its secret API_KEY never set). */
const environments = `  dev: { branch: develop, hosts: [local] }
  staging: { promote_from: dev, hosts: [local] }
  qa: { hosts: [local] }
`;

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let slipway: Slipway;
let dataDir: string;
let repo: string;
let r1: Release;
let r2: Release;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${slipway.url}${path}`, { method, headers: { authorization: `Bearer ${slipway.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}
const env = (e: string, what: string) => `/api/projects/api/environments/${e}/${what}`;

async function settled(id: string): Promise<Json> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const d = (await call('GET', `/api/deployments/${id}`)).json;
    if (d.status === 'success' || d.status === 'failure') return d;
    if (Date.now() > deadline) throw new Error(`deployment ${id} still ${d.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-deploy-api-'));
  slipway = await startSlipway({ dataDir, port: 0, env: {}, log: () => {} });
  ({ repo, releases: [r1, r2] } = await seedReleases(slipway, environments));
});

after(async () => {
  await slipway.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(repo, { recursive: true, force: true });
});

void describe('deploy API', () => {
  test('manual deploy: body, project, release and environment are checked before anything is recorded', async () => {
    assert.equal((await call('POST', env('dev', 'deployments'), {})).status, 400);
    assert.equal((await call('POST', env('dev', 'deployments'), { release: r1.id, commit: r1.sha })).status, 400);
    assert.equal((await call('POST', env('dev', 'deployments'), { release: r1.id, extra: 1 })).status, 400);
    assert.equal((await call('POST', '/api/projects/nope/environments/dev/deployments', { release: r1.id })).json.error.code, 'PROJECT_UNKNOWN');
    const unknown = await call('POST', env('dev', 'deployments'), { release: 'rel_nope' });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'RELEASE_UNKNOWN']);
    const noEnv = await call('POST', env('production', 'deployments'), { commit: r1.sha });
    assert.deepEqual([noEnv.status, noEnv.json.error.code], [404, 'ENVIRONMENT_UNKNOWN']);
    assert.match(noEnv.json.error.message, /no environment "production": environments are defined by .slipway\/deploy.yml on the default branch develop or set on the server .*; it has dev, staging, qa/);
    assert.equal((await call('GET', '/api/deployments?project=api')).json.length, 0);
  });

  test('manual deploy by commit prefix records trigger and user; a secret missing from the store fails it by name', async () => {
    const res = await call('POST', env('dev', 'deployments'), { commit: r2.sha.slice(0, 8) });
    assert.equal(res.status, 202, JSON.stringify(res.json));
    assert.deepEqual([res.json.trigger, res.json.triggeredBy, res.json.release.id], ['manual', 'admin', r2.id]);
    const d = await settled(res.json.id);
    assert.equal(d.status, 'failure');
    assert.match(d.error, /API_KEY.*not set for api\/dev: slipway secrets set api dev API_KEY/);
  });

  test('promotion: needs a release serving FROM, and TO.promote_from (if set) must be FROM', async () => {
    const { store } = slipway;
    const project = await store.projects.require('api');
    const noSource = await call('POST', env('staging', 'promotions'), { from: 'qa' });
    assert.deepEqual([noSource.status, noSource.json.error.code], [404, 'ENVIRONMENT_UNKNOWN']);
    await store.deployments.setState({ project_id: project.id, environment: 'dev', release_id: r1.id, container: 'c1', host_port: 1, publish: null });
    await store.deployments.setState({ project_id: project.id, environment: 'qa', release_id: r2.id, container: 'c2', host_port: 2, publish: null });
    const wrong = await call('POST', env('staging', 'promotions'), { from: 'qa' });
    assert.deepEqual([wrong.status, wrong.json.error.code], [422, 'PROMOTION_NOT_ALLOWED']);
    assert.match(wrong.json.error.message, /staging takes releases from dev/);
    const ok = await call('POST', env('staging', 'promotions'), { from: 'dev' });
    assert.equal(ok.status, 202, JSON.stringify(ok.json));
    assert.deepEqual([ok.json.trigger, ok.json.environment, ok.json.release.id], ['promotion', 'staging', r1.id]);
    // An environment without promote_from takes a promotion from anywhere.
    assert.equal((await call('POST', env('qa', 'promotions'), { from: 'dev' })).status, 202);
    await settled(ok.json.id);
  });

  test('rollback: the last successful release before the current one, or the named one', async () => {
    const { store } = slipway;
    const project = await store.projects.require('api');
    const none = await call('POST', env('qa', 'rollbacks'), {});
    assert.deepEqual([none.status, none.json.error.code], [409, 'CONFLICT']);
    // History of qa: r1 succeeded, then r2 (serving now).
    for (const r of [r1, r2]) {
      const d = await store.deployments.create({ project_id: project.id, environment: 'qa', release_id: r.id, trigger: 'manual', triggered_by: 'seed' });
      await store.deployments.update(d.id, { status: 'success' });
    }
    const back = await call('POST', env('qa', 'rollbacks'), {});
    assert.equal(back.status, 202, JSON.stringify(back.json));
    assert.deepEqual([back.json.trigger, back.json.release.id], ['rollback', r1.id]);
    const named = await call('POST', env('qa', 'rollbacks'), { to: r2.id });
    assert.deepEqual([named.status, named.json.release.id], [202, r2.id]);
    const notYet = await call('POST', env('staging', 'rollbacks'), {});
    assert.deepEqual([notYet.status, notYet.json.error.code], [404, 'ENVIRONMENT_UNKNOWN']);
    await settled(named.json.id);
  });

  test('a deployment queues behind a lock another process holds, shows the holder, and starts when it is freed', async () => {
    const { store } = slipway;
    const project = await store.projects.require('api');
    const other = await store.deployments.create({ project_id: project.id, environment: 'dev', release_id: r1.id, trigger: 'manual', triggered_by: 'elsewhere' });
    assert.ok(await store.environmentLocks.acquire({ projectId: project.id, environment: 'dev', holder: 'other-host:4242:beef', deploymentId: other.id, leaseMs: 60_000 }));
    const res = await call('POST', env('dev', 'deployments'), { release: r1.id });
    assert.equal(res.status, 202);
    await new Promise((r) => setTimeout(r, 300));
    const queued = (await call('GET', `/api/deployments/${res.json.id}`)).json;
    assert.equal(queued.status, 'queued');
    assert.deepEqual([queued.lock.holder, queued.lock.deployment.id, queued.lock.deployment.number], ['other-host:4242:beef', other.id, other.number]);
    await store.environmentLocks.release(project.id, 'dev', 'other-host:4242:beef');
    const done = await settled(res.json.id);
    assert.equal(done.lock, null);
    assert.match(done.error, /API_KEY/); // it ran: it got as far as the secrets
    assert.equal(await store.environmentLocks.get(project.id, 'dev'), undefined, 'released after the deployment');
  });

  test('secrets: set, list names only, stored encrypted, removed; bad names refused', async () => {
    const put = await call('PUT', env('other', 'secrets/DB_PASSWORD'), { value: 'hunter2-very-secret' });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const list = await call('GET', env('other', 'secrets'));
    assert.deepEqual(list.json.map((s: { name: string }) => s.name), ['DB_PASSWORD']);
    assert.ok(!JSON.stringify(list.json).includes('hunter2'));
    const rows = await slipway.store.db.selectFrom('secrets').selectAll().execute();
    assert.ok(rows.length > 0 && rows.every((r) => !r.ciphertext.includes('hunter2')));
    assert.equal((await call('PUT', env('other', 'secrets/1BAD'), { value: 'x' })).status, 400);
    assert.equal((await call('PUT', env('Bad%20Env', 'secrets/OK'), { value: 'x' })).status, 400);
    assert.equal((await call('PUT', env('other', 'secrets/OK'), { value: 'two\nlines' })).status, 400);
    assert.equal((await call('DELETE', env('other', 'secrets/DB_PASSWORD'))).status, 200);
    const again = await call('DELETE', env('other', 'secrets/DB_PASSWORD'));
    assert.deepEqual([again.status, again.json.error.code], [404, 'SECRET_UNKNOWN']);
  });

  test('`slipway secrets set` reads stdin and strips one trailing newline; `list` shows the name', async () => {
    const mainTs = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
    const cli = (args: string[], stdin?: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [mainTs, ...args], { env: { PATH: process.env.PATH, HOME: repo, SLIPWAY_DATA: repo, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: slipway.adminToken } });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out, err }));
        child.stdin.end(stdin ?? '');
      });
    const set = await cli(['secrets', 'set', 'api', 'qa', 'API_KEY'], 'value with spaces\n');
    assert.equal(set.code, 0, set.err);
    assert.ok(!set.out.includes('value with spaces'));
    const project = await slipway.store.projects.require('api');
    const secrets = new Secrets(slipway.store, loadOrCreateSecretsKey(dataDir));
    assert.deepEqual(await secrets.resolve(project.id, 'api', 'qa', ['API_KEY']), { API_KEY: 'value with spaces' });
    const list = await cli(['secrets', 'list', 'api', 'qa']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /API_KEY/);
    assert.ok(!list.out.includes('value with spaces'));
    const rel = await cli(['releases', 'api', '--json']);
    assert.equal(rel.code, 0, rel.err);
    const shown = JSON.parse(rel.out) as { id: string; environments: string[] }[];
    assert.deepEqual(shown.find((r) => r.id === r1.id)?.environments, ['dev']);
  });

  test('a release whose image retention and GC removed is refused with RELEASE_GONE saying so, and nothing is recorded', async () => {
    const { store } = slipway;
    const project = await store.projects.require('api');
    const oci = ociClient(slipway.url, { authorization: `Bearer ${slipway.adminToken}` });
    const image = await oci.pushImage('api/api', undefined, [Buffer.from('an image that goes')]);
    const gone = await store.releases.create({ project_id: project.id, run_id: r1.run_id, sha: r1.sha, ref: r1.ref, image: 'api/api', digest: image.digest });
    assert.equal((await oci.call(`/v2/api/api/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
    const before = (await store.deployments.list({ projectId: project.id })).length;
    const res = await call('POST', env('qa', 'deployments'), { release: gone.id });
    assert.deepEqual([res.status, res.json.error.code], [410, 'RELEASE_GONE']);
    assert.match(res.json.error.message, /no longer in the registry: release retention untagged it and garbage collection freed it/);
    assert.match(res.json.error.message, new RegExp(image.digest));
    assert.equal((await store.deployments.list({ projectId: project.id })).length, before);
  });
});
