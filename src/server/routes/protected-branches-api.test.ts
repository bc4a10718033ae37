// Protected branches through the real HTTP API, the real CLI and the real git client against a
// real server; alice creates the project by her first push (so she is its maintainer), dave
// and vic are made developer and viewer as members, mallory has no role.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlipway, type Slipway } from '../slipway.ts';
import { runCli } from '../../../test/support/cli.ts';
import { gitAuthEnv } from '../../git/client.ts';
import { run } from '../../exec/run.ts';

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

void describe('protected branches API and CLI', () => {
  let slipway: Slipway;
  let dataDir: string;
  let work: string;
  const tokens: Record<string, string> = {};

  const api = async (who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${slipway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const push = (who: string, ...refspecs: string[]) => run(['git', 'push', `${slipway.url}/git/hello.git`, ...refspecs], { cwd: work, env: gitAuthEnv(tokens[who]!) });
  const gitIn = (...args: string[]) => run(['git', '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd: work });
  const cli = (who: string, ...args: string[]) => runCli(['branches', ...args], { env: { PATH: process.env.PATH, HOME: dataDir, SLIPWAY_DATA: join(dataDir, 'client'), SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: tokens[who] } });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-branches-'));
    slipway = await startSlipway({ dataDir: join(dataDir, 'data'), port: 0, env: { SLIPWAY_RUNNER_ENABLED: 'false' }, log: () => {} });
    tokens.admin = slipway.adminToken;
    for (const name of ['alice', 'dave', 'vic', 'mallory']) {
      const user = await slipway.store.users.create(name, 'member');
      tokens[name] = await slipway.store.users.createToken(user.id, 'test');
    }
    work = join(dataDir, 'work');
    await mkdir(work);
    await gitIn('init', '-q', '-b', 'main');
    await writeFile(join(work, 'a.txt'), 'a\n');
    await gitIn('add', '-A');
    await gitIn('commit', '-q', '-m', 'a');
    const first = await push('alice', 'main');
    assert.equal(first.exitCode, 0, first.stderr);
    const project = await slipway.store.projects.require('hello');
    for (const [name, role] of [['dave', 'developer'], ['vic', 'viewer']] as const) {
      await slipway.store.members.set(project.id, (await slipway.store.users.byName(name))!.id, role, 'hello');
    }
  });
  after(async () => {
    await slipway.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  void it('lists the default rule to anyone with a role, and refuses someone without one', async () => {
    const list = await api('vic', 'GET', '/api/projects/hello/protected-branches');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.map((r: Json) => [r.pattern, r.pushRoles, r.allowForcePush, r.default]), [['main', ['maintainer'], false, true]]);
    const stranger = await api('mallory', 'GET', '/api/projects/hello/protected-branches');
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error.message, 'project hello: mallory has no role and may not see the project (missing permission project.read; needs role viewer)');
  });

  void it('refuses a developer who tries to change the rules with 403 naming the permission, whatever the body', async () => {
    for (const body of [{ pushRoles: ['developer'] }, '{not json', { bogus: 1 }]) {
      const res = await api('dave', 'PUT', '/api/projects/hello/protected-branches/main', body);
      assert.equal(res.status, 403);
      assert.equal(res.json.error.code, 'FORBIDDEN');
      assert.equal(res.json.error.message, 'project hello: role developer may not change branch and environment protection (missing permission protection.write; needs role maintainer)');
    }
    const del = await api('dave', 'DELETE', '/api/projects/hello/protected-branches/main');
    assert.equal(del.status, 403);
    const refused = await cli('dave', 'unprotect', 'hello', 'main');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /project hello: role developer may not change branch and environment protection \(missing permission protection\.write; needs role maintainer\)/);
  });

  void it('refuses bad patterns and bodies from a maintainer with 400, and unknown projects with 404', async () => {
    const negated = await api('alice', 'PUT', `/api/projects/hello/protected-branches/${encodeURIComponent('!main')}`, {});
    assert.equal(negated.status, 400);
    assert.match(negated.json.error.message, /path parameter "pattern": a rule protects what its pattern matches/);
    const range = await api('alice', 'PUT', `/api/projects/hello/protected-branches/${encodeURIComponent('v[z-a]')}`, {});
    assert.equal(range.status, 400);
    assert.match(range.json.error.message, /not a valid branch pattern/);
    const roleTypo = await api('alice', 'PUT', '/api/projects/hello/protected-branches/main', { pushRoles: ['admin'] });
    assert.equal(roleTypo.status, 400);
    assert.match(roleTypo.json.error.message, /^expected \{"pushRoles"/);
    const ghost = await api('admin', 'GET', '/api/projects/ghost/protected-branches');
    assert.equal(ghost.status, 404);
    assert.equal((await api('alice', 'DELETE', `/api/projects/hello/protected-branches/${encodeURIComponent('nope/*')}`)).status, 404);
  });

  void it('protects release/* through the CLI, and the push path follows', async () => {
    const protect = await cli('alice', 'protect', 'hello', 'release/*', '--push-roles', 'developer');
    assert.equal(protect.code, 0, protect.stderr);
    assert.match(protect.stdout, /protected release\/\* in hello: admins, maintainers, developers may push; force-push refused; deletion refused/);
    const list = await cli('vic', 'list', 'hello', '--json');
    assert.deepEqual(JSON.parse(list.stdout).map((r: Json) => [r.pattern, r.pushRoles, r.default, r.createdBy]), [['main', ['maintainer'], false, 'slipway'], ['release/*', ['maintainer', 'developer'], false, 'alice']]);
    assert.equal((await cli('alice', 'protect', 'hello', 'x', '--push-roles', 'owner')).code, 2);

    assert.equal((await push('dave', 'main:refs/heads/release/1')).exitCode, 0);
    await gitIn('commit', '-q', '--allow-empty', '-m', 'b');
    const devMain = await push('dave', 'HEAD:refs/heads/main');
    assert.notEqual(devMain.exitCode, 0);
    assert.match(devMain.stderr, /remote: refs\/heads\/main is protected in project hello: only maintainers may push \(you are developer\)/);
    const del = await push('dave', ':release/1');
    assert.match(del.stderr, /remote: refs\/heads\/release\/1 is protected in project hello: deletion is not allowed \(rule "release\/\*"\)/);

    const force = await cli('alice', 'protect', 'hello', 'hotfix-*', '--allow-force-push', '--json');
    assert.equal(force.code, 0, force.stderr);
    assert.deepEqual([JSON.parse(force.stdout).pushRoles, JSON.parse(force.stdout).allowForcePush], [['maintainer'], true]);
    const table = await cli('vic', 'list', 'hello');
    assert.match(table.stdout, /^hotfix-\*\s+admin,maintainer\s+allowed\s+alice/m);
    assert.match(table.stdout, /^main\s+admin,maintainer\s+refused\s+slipway/m);

    const unprotect = await cli('alice', 'unprotect', 'hello', 'release/*');
    assert.equal(unprotect.code, 0, unprotect.stderr);
    assert.equal((await push('dave', ':release/1')).exitCode, 0);
  });
});
