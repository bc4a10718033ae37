// Per-project roles with the real clients: git clone and push, and skopeo pushing and
// pulling images, as every kind of caller, on a private and a public project of a real
// server. The first push creates a project and makes its pusher the maintainer.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import { gitClientEnv } from '../../src/git/config-env.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';

const exec = promisify(execFile);
type Caller = 'admin' | 'maintainer' | 'developer' | 'viewer' | 'member' | 'anonymous';

let slipway: Slipway;
let dataDir: string;
let work: string;
const tokens: Partial<Record<Caller, string>> = {};

const tokenOf = (as: Caller) => (as === 'admin' ? slipway.adminToken : tokens[as]);

/** Runs a command; resolves with its outcome instead of throwing, so refusals can be read. */
async function outcome(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ ok: boolean; stderr: string }> {
  try {
    const { stderr } = await exec(cmd, args, { ...options, timeout: 120_000, maxBuffer: 16 << 20 });
    return { ok: true, stderr };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, stderr: e.stderr ?? e.message };
  }
}

const gitAs = (as: Caller, cwd: string, ...args: string[]) => {
  const token = tokenOf(as);
  return outcome('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, env: gitClientEnv(token ? `Bearer ${token}` : undefined) });
};

async function api(method: string, path: string, as: Caller, body?: unknown) {
  const token = tokenOf(as);
  const res = await fetch(`${slipway.url}${path}`, { method, headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text(); // a registry DELETE answers 202 with no body
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as { errors?: { code: string; message: string }[]; error?: { message: string }; token?: string } };
}

/** A commit in a fresh repository, pushed by `as` to `project`. */
async function pushNew(as: Caller, project: string, file: string) {
  const dir = await mkdtemp(join(work, `push-${as}-`));
  await gitAs(as, dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, file), `${as}\n`);
  await gitAs(as, dir, 'add', '-A');
  await gitAs(as, dir, 'commit', '-q', '-m', `${as} was here`);
  return gitAs(as, dir, 'push', '-q', `${slipway.url}/git/${project}.git`, 'HEAD:refs/heads/main');
}

const clone = async (as: Caller, project: string) => gitAs(as, work, 'clone', '-q', `${slipway.url}/git/${project}.git`, join(work, `clone-${project}-${as}-${Date.now()}`));

const registryHost = () => new URL(slipway.url).host;
const skopeoPush = (as: Caller, repository: string) => {
  const token = tokenOf(as);
  return outcome('skopeo', ['copy', '--dest-tls-verify=false', ...(token ? ['--dest-creds', `x:${token}`] : ['--dest-no-creds']), `containers-storage:${busyboxImage}`, `docker://${registryHost()}/${repository}:1`], { env: containerToolEnv() });
};
const skopeoInspect = (as: Caller, repository: string) => {
  const token = tokenOf(as);
  return outcome('skopeo', ['inspect', '--tls-verify=false', ...(token ? ['--creds', `x:${token}`] : ['--no-creds']), `docker://${registryHost()}/${repository}:1`], { env: containerToolEnv() });
};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-access-'));
  work = await mkdtemp(join(tmpdir(), 'slipway-access-work-'));
  slipway = await startSlipway({ dataDir, port: 0, env: { SLIPWAY_RUNNER_ENABLED: 'false' }, log: () => {} });
  for (const as of ['maintainer', 'developer', 'viewer', 'member'] as const) {
    const res = await api('POST', '/api/users', 'admin', { name: `u-${as}` });
    assert.equal(res.status, 201);
    tokens[as] = res.json.token!;
  }
  await ensureBusyboxImage();
});

after(async () => {
  await slipway?.close();
  for (const d of [dataDir, work]) await rm(d, { recursive: true, force: true });
});

void describe('project access with git and skopeo', () => {
  it('a first push creates the project and makes the pusher its maintainer, who adds the others', async () => {
    for (const project of ['priv', 'pub']) {
      const pushed = await pushNew('maintainer', project, 'README');
      assert.ok(pushed.ok, pushed.stderr);
      for (const role of ['developer', 'viewer'] as const) assert.equal((await api('PUT', `/api/projects/${project}/members/u-${role}`, 'maintainer', { role })).status, 201);
    }
    assert.equal((await api('PUT', '/api/projects/pub/visibility', 'maintainer', { public: true })).status, 200);
    const members = (await api('GET', '/api/projects/priv/members', 'viewer')).json as unknown as { user: string; role: string }[];
    assert.deepEqual(members.map((m) => [m.user, m.role]), [['u-developer', 'developer'], ['u-maintainer', 'maintainer'], ['u-viewer', 'viewer']]);
  });

  it('clone: members of a private project may; others are refused; anyone may clone a public one', async () => {
    for (const as of ['admin', 'maintainer', 'developer', 'viewer'] as const) assert.ok((await clone(as, 'priv')).ok, `${as} clones priv`);
    const member = await clone('member', 'priv');
    assert.ok(!member.ok);
    assert.match(member.stderr, /403/);
    const anonymous = await clone('anonymous', 'priv');
    assert.ok(!anonymous.ok);
    assert.match(anonymous.stderr, /terminal prompts disabled|Authentication failed|401/);
    for (const as of ['anonymous', 'member'] as const) assert.ok((await clone(as, 'pub')).ok, `${as} clones pub`);
    const refused = await fetch(`${slipway.url}/git/priv.git/info/refs?service=git-upload-pack`, { headers: { authorization: `Bearer ${tokens.member}` } });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /^project priv: u-member has no role and may not clone or fetch the repository \(missing permission git.read; needs role viewer\)$/);
  });

  it('push: developers and maintainers may; viewers, strangers and anonymous callers may not, public or not', async () => {
    for (const as of ['developer', 'maintainer'] as const) {
      const pushed = await pushNew(as, 'priv', `${as}.txt`);
      assert.ok(!pushed.ok && /rejected|non-fast-forward|fetch first/.test(pushed.stderr), `${as} got past the door (git refuses an unrelated history): ${pushed.stderr}`);
    }
    const dir = await mkdtemp(join(work, 'dev-'));
    assert.ok((await gitAs('developer', dir, 'clone', '-q', `${slipway.url}/git/priv.git`, 'c')).ok);
    await writeFile(join(dir, 'c', 'dev.txt'), 'dev\n');
    await gitAs('developer', join(dir, 'c'), 'add', '-A');
    await gitAs('developer', join(dir, 'c'), 'commit', '-q', '-m', 'dev');
    const pushed = await gitAs('developer', join(dir, 'c'), 'push', '-q', 'origin', 'HEAD:refs/heads/feature');
    assert.ok(pushed.ok, pushed.stderr);
    for (const [as, project] of [['viewer', 'priv'], ['member', 'priv'], ['member', 'pub'], ['viewer', 'pub']] as const) {
      const refused = await gitAs(as, join(dir, 'c'), 'push', '-q', `${slipway.url}/git/${project}.git`, 'HEAD:refs/heads/other');
      assert.ok(!refused.ok, `${as} pushes to ${project}`);
      assert.match(refused.stderr, /403/, `${as} → ${project}`);
    }
    const anonymous = await gitAs('anonymous', join(dir, 'c'), 'push', '-q', `${slipway.url}/git/pub.git`, 'HEAD:refs/heads/other');
    assert.ok(!anonymous.ok);
    assert.match(anonymous.stderr, /terminal prompts disabled|Authentication failed|401/);
  });

  it('registry: developers push <project>/<image>; viewers pull; strangers neither; anonymous callers pull public images', async () => {
    const pushed = await skopeoPush('developer', 'priv/app');
    assert.ok(pushed.ok, pushed.stderr);
    assert.ok((await skopeoPush('developer', 'pub/app')).ok);
    for (const as of ['viewer', 'maintainer', 'admin'] as const) assert.ok((await skopeoInspect(as, 'priv/app')).ok, `${as} pulls priv/app`);
    for (const as of ['member', 'anonymous'] as const) {
      const refused = await skopeoInspect(as, 'priv/app');
      assert.ok(!refused.ok, `${as} pulls priv/app`);
      assert.match(refused.stderr, as === 'member' ? /denied|DENIED/ : /unauthorized|authentication required/i);
    }
    for (const as of ['member', 'anonymous'] as const) assert.ok((await skopeoInspect(as, 'pub/app')).ok, `${as} pulls pub/app`);
    const viewer = await skopeoPush('viewer', 'priv/app');
    assert.ok(!viewer.ok);
    assert.match(viewer.stderr, /denied/i);
    const stranger = await skopeoPush('member', 'ghost/app');
    assert.ok(!stranger.ok, 'nobody fills the namespace of a project that does not exist');
    assert.ok(!(await skopeoPush('anonymous', 'pub/app')).ok);
    const raw = await api('POST', '/v2/priv/app/blobs/uploads/', 'viewer');
    assert.deepEqual([raw.status, raw.json.errors?.[0]?.code, raw.json.errors?.[0]?.message], [403, 'DENIED', 'project priv: role viewer may not push images (missing permission images.push; needs role developer)']);
    for (const as of ['viewer', 'member'] as const) {
      const del = await api('DELETE', '/v2/priv/app/manifests/1', as);
      assert.deepEqual([del.status, del.json.errors?.[0]?.code], [403, 'DENIED'], `${as} deletes an image`);
      assert.match(del.json.errors![0]!.message, /missing permission images.delete/);
    }
    const devDelete = await api('DELETE', '/v2/priv/app/manifests/1', 'developer');
    assert.ok(devDelete.status !== 401 && devDelete.status !== 403, `a developer gets past the door: ${devDelete.status}`);
    const mount = await api('POST', '/v2/pub/app/blobs/uploads/?mount=sha256:' + '0'.repeat(64) + '&from=priv/app', 'member');
    assert.equal(mount.status, 403, 'mounting from a private repository needs pull there');
  });

  it('projects.create: admins: a member cannot create a project by pushing', async () => {
    const restricted = await mkdtemp(join(tmpdir(), 'slipway-access-admins-'));
    const other = await startSlipway({ dataDir: restricted, port: 0, env: { SLIPWAY_RUNNER_ENABLED: 'false', SLIPWAY_PROJECTS_CREATE: 'admins' }, log: () => {} });
    try {
      const user = await fetch(`${other.url}/api/users`, { method: 'POST', headers: { authorization: `Bearer ${other.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bob' }) });
      const token = ((await user.json()) as { token: string }).token;
      const res = await fetch(`${other.url}/git/new.git/info/refs?service=git-receive-pack`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /only an admin may create projects \(bob has role member\): missing permission projects.create/);
      const api2 = await fetch(`${other.url}/api/projects`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'new' }) });
      assert.equal(api2.status, 403);
    } finally {
      await other.close();
      await rm(restricted, { recursive: true, force: true });
    }
  });
});
