// Who sees what through the registry's discovery routes, on a real server: the catalog
// lists only the repositories the caller may pull (a member of one project never learns
// another private project's image names), and the referrers API needs images.pull in the
// repository's project like any other read, its refusal naming the permission.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import type { Descriptor } from './oci-push.ts';
import { OciPusher } from './oci-push.ts';

let slipway: Slipway;
let dataDir: string;
const tokens: Record<string, string> = {};
let image: Descriptor;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${slipway.url}${path}`, { method, headers: { authorization: `Bearer ${slipway.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const as = (who: string | undefined): OciPusher => new OciPusher(slipway.url, who === undefined ? undefined : who === 'admin' ? slipway.adminToken : tokens[who]);

async function catalog(who: string | undefined, query = ''): Promise<{ status: number; repositories: string[]; link: string | null }> {
  const res = await as(who).call(`/v2/_catalog${query}`);
  const body = (await res.json()) as { repositories?: string[] };
  return { status: res.status, repositories: body.repositories ?? [], link: res.headers.get('link') };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-registry-access-'));
  slipway = await startSlipway({ dataDir, port: 0, env: { SLIPWAY_RUNNER_ENABLED: 'false' }, log: () => {} });
  for (const project of ['alpha', 'beta', 'open']) assert.equal((await api('POST', '/api/projects', { name: project })).status, 201);
  assert.equal((await api('PUT', '/api/projects/open/visibility', { public: true })).status, 200);
  for (const [user, project, role] of [['alice', 'alpha', 'developer'], ['bob', 'beta', 'viewer']] as const) {
    const res = await api('POST', '/api/users', { name: user });
    assert.equal(res.status, 201);
    tokens[user] = ((await res.json()) as { token: string }).token;
    assert.equal((await api('PUT', `/api/projects/${project}/members/${user}`, { role })).status, 201);
  }
  const admin = as('admin');
  for (const repository of ['alpha/app', 'alpha/web', 'beta/app', 'open/app', 'orphan/app']) {
    await admin.manifest(repository, await admin.imageManifest(repository, repository), 'v1');
  }
  // alice pushes an artifact that refers to alpha/app:v1.
  const alice = as('alice');
  image = await alice.manifest('alpha/app', await alice.imageManifest('alpha/app', 'alpha/app'));
  await alice.manifest('alpha/app', await alice.imageManifest('alpha/app', 'sig', { subject: image, artifactType: 'application/example.sig' }));
});

after(async () => {
  await slipway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

void describe('registry access: catalog and referrers', () => {
  void it('the catalog lists only what the caller may pull: own projects, public ones; admins see all', async () => {
    assert.deepEqual((await catalog('alice')).repositories, ['alpha/app', 'alpha/web', 'open/app']);
    assert.deepEqual((await catalog('bob')).repositories, ['beta/app', 'open/app']);
    assert.deepEqual((await catalog(undefined)).repositories, ['open/app'], 'anonymous callers see public projects only');
    assert.deepEqual((await catalog('admin')).repositories, ['alpha/app', 'alpha/web', 'beta/app', 'open/app', 'orphan/app']);
  });

  void it('pages count only visible repositories, so a page boundary reveals nothing hidden', async () => {
    const first = await catalog('bob', '?n=1');
    assert.deepEqual([first.repositories, first.link], [['beta/app'], '</v2/_catalog?n=1&last=beta%2Fapp>; rel="next"']);
    const second = await catalog('bob', '?n=1&last=beta%2Fapp');
    assert.deepEqual([second.repositories, second.link], [['open/app'], null]);
    // A cursor inside a hidden range still shows only what bob may see.
    assert.deepEqual((await catalog('bob', '?last=alpha')).repositories, ['beta/app', 'open/app']);
  });

  void it('referrers: members with images.pull read them; others are refused, naming the permission', async () => {
    const ok = await as('alice').call(`/v2/alpha/app/referrers/${image.digest}`);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { manifests: unknown[] }).manifests.length, 1);
    const refused = await as('bob').call(`/v2/alpha/app/referrers/${image.digest}`);
    const body = (await refused.json()) as { errors: Array<{ code: string; message: string }> };
    assert.deepEqual([refused.status, body.errors[0]?.code], [403, 'DENIED']);
    assert.match(body.errors[0]!.message, /missing permission images\.pull/);
    const anonymous = await as(undefined).call(`/v2/alpha/app/referrers/${image.digest}`);
    assert.equal(anonymous.status, 401);
    assert.equal((await as(undefined).call(`/v2/open/app/referrers/${image.digest}`)).status, 200, 'public referrers are public');
  });
});
