// Every route the server has (read from its OpenAPI document, so a route added without an
// entry below fails), called by every kind of caller on a private and a public project of a
// real server: allowed calls get past the guard (any answer but 401/403), refused ones get
// 403 FORBIDDEN naming the project and the missing permission, anonymous ones 401.
// Allowed calls send a body the schema refuses (400) where the route reads one, so the
// matrix proves the permission was checked first without deploying anything.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlipway, type Slipway } from '../slipway.ts';
import { projectRoles, type ProjectRole } from '../../auth/roles.ts';
import { runCli } from '../../../test/support/cli.ts';

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Who may call a route: any caller; any signed-in user; admins; or a least project role
 * (public: anyone reads it when the project is public). `signature`: the caller signs the
 * request instead (forge webhooks): every caller, token or none, gets the same answer.
 * `runner`: the runner protocol, which only a runner credential (or, to register, a registration
 * token) reaches: no user, not even an admin.
 */
type Rule = { anyone: true } | { signedIn: true } | { admin: true } | { role: ProjectRole; public?: true } | { signature: true } | { runner: true };

const anyone = { anyone: true } as const;
const signedIn = { signedIn: true } as const;
const admin = { admin: true } as const;
const viewer = { role: 'viewer' } as const;
const read = { role: 'viewer', public: true } as const;
const developer = { role: 'developer' } as const;
const maintainer = { role: 'maintainer' } as const;
const signature = { signature: true } as const;
const runner = { runner: true } as const;

const expected: Record<string, Rule> = {
  'GET /api/version': signedIn,
  'GET /api/openapi.json': signedIn,
  'GET /api/projects': anyone,
  'POST /api/projects': signedIn,
  'GET /api/projects/{project}': read,
  'PUT /api/projects/{project}/visibility': maintainer,
  'GET /api/projects/{project}/members': viewer,
  'PUT /api/projects/{project}/members/{user}': maintainer,
  'DELETE /api/projects/{project}/members/{user}': maintainer,
  'GET /api/users': admin,
  'PUT /api/users/{name}/password': signedIn,
  'POST /api/session': anyone,
  'GET /api/session': signedIn,
  'DELETE /api/session': signedIn,
  'GET /api/events': anyone,
  'GET /api/projects/{project}/metrics': viewer,
  'POST /api/users': admin,
  'GET /api/hosts/key': signedIn,
  'GET /api/hosts': signedIn,
  'DELETE /api/hosts/{address}': admin,
  'GET /api/runners': admin,
  'POST /api/actions/mirrors': admin,
  'POST /api/actions/resolve': signedIn,
  'POST /api/registry/gc': admin,
  'POST /api/registry/retention': admin,
  'GET /metrics': admin,
  'GET /api/runs': read,
  'GET /api/runs/{run}': read,
  'POST /api/runs/{run}/cancel': developer,
  'GET /api/runs/{run}/logs': read,
  'GET /api/runs/{run}/jobs/{job}/logs': read,
  'POST /api/runs/{run}/rerun': developer,
  'GET /api/runs/{run}/plan': read,
  'GET /api/runs/{run}/annotations': read,
  'GET /api/runs/{run}/summary': read,
  'GET /api/runs/{run}/artifacts': read,
  'GET /api/runs/{run}/artifacts/{name}': read,
  'POST /api/projects/{project}/workflows/{file}/dispatches': developer,
  'POST /api/projects/{project}/dispatches': developer,
  'GET /api/releases': read,
  'GET /api/deployments': viewer,
  'GET /api/deployments/{id}': viewer,
  'GET /api/deployments/{id}/logs': viewer,
  'POST /api/deployments/{id}/approvals': developer,
  'POST /api/runs/{run}/jobs/{job}/approvals': developer,
  'GET /api/runs/{run}/jobs/{job}/approval-rights': viewer,
  'GET /api/deployments/{id}/approval-rights': viewer,
  'GET /api/environments': viewer,
  'POST /api/projects/{project}/environments/{env}/deployments': developer,
  'POST /api/projects/{project}/environments/{env}/promotions': developer,
  'POST /api/projects/{project}/environments/{env}/rollbacks': developer,
  'GET /api/projects/{project}/environments/{env}/secrets': developer,
  'PUT /api/projects/{project}/environments/{env}/secrets/{name}': maintainer,
  'DELETE /api/projects/{project}/environments/{env}/secrets/{name}': maintainer,
  'GET /api/projects/{project}/secrets': developer,
  'PUT /api/projects/{project}/secrets/{name}': maintainer,
  'DELETE /api/projects/{project}/secrets/{name}': maintainer,
  'GET /api/projects/{project}/environments': viewer,
  'GET /api/projects/{project}/environments/{env}': viewer,
  'PUT /api/projects/{project}/environments/{env}': maintainer,
  'DELETE /api/projects/{project}/environments/{env}': maintainer,
  'GET /api/tokens': signedIn,
  'POST /api/tokens': signedIn,
  'DELETE /api/tokens/{token}': signedIn,
  'GET /api/audit': admin,
  'GET /api/projects/{project}/protected-branches': read,
  'PUT /api/projects/{project}/protected-branches/{pattern}': maintainer,
  'DELETE /api/projects/{project}/protected-branches/{pattern}': maintainer,
  'POST /api/webhooks/{project}': signature,
  'GET /api/projects/{project}/forge': maintainer,
  'PUT /api/projects/{project}/forge': maintainer,
  'DELETE /api/projects/{project}/forge': maintainer,
  'GET /api/projects/{project}/notifications': maintainer,
  'POST /api/projects/{project}/notifications': maintainer,
  'DELETE /api/projects/{project}/notifications/{id}': maintainer,
  'GET /api/projects/{project}/deliveries': maintainer,
  // The runner protocol (test/e2e/runner-http-protocol.test.ts calls it with a runner credential).
  'POST /api/runner/register': runner,
  'POST /api/runners/registration-tokens': admin,
  'GET /api/runners/registration-tokens': admin,
  'DELETE /api/runners/registration-tokens/{id}': admin,
  'DELETE /api/runners/{name}/credential': admin,
  'POST /api/runners/{name}/pause': admin,
  'POST /api/runners/{name}/resume': admin,
  'POST /api/runners/{name}/drain': admin,
  'DELETE /api/runners/{name}': admin,
  'POST /api/runner/hello': runner,
  'POST /api/runner/claim': runner,
  'POST /api/runner/wait': runner,
  'GET /api/runner/registry': runner,
  'POST /api/runner/jobs/{job}/heartbeat': runner,
  'GET /api/runner/jobs/{job}/log-seq': runner,
  'POST /api/runner/jobs/{job}/logs': runner,
  'POST /api/runner/jobs/{job}/steps': runner,
  'POST /api/runner/jobs/{job}/skipped-steps': runner,
  'POST /api/runner/jobs/{job}/complete': runner,
  'POST /api/runner/jobs/{job}/releases': runner,
  'GET /api/runner/jobs/{job}/source': runner,
  'POST /api/runner/jobs/{job}/annotations': runner,
  'PUT /api/runner/jobs/{job}/summaries/{number}': runner,
  'POST /api/runner/steps/{step}/finish': runner,
  'PUT /api/runner/jobs/{job}/artifacts/{name}': runner,
  'GET /api/runner/jobs/{job}/artifacts': runner,
  'GET /api/runner/jobs/{job}/artifacts/{name}': runner,
  'POST /api/runner/jobs/{job}/caches/restore': runner,
  'PUT /api/runner/jobs/{job}/caches': runner,
  'POST /api/runner/jobs/{job}/actions/resolve': runner,
  'GET /api/runner/jobs/{job}/actions/{sha}': runner,
};

/** Routes that name their project by `?project=`. */
const byQuery = new Set(['GET /api/runs', 'GET /api/releases', 'GET /api/deployments', 'GET /api/environments']);

type Caller = 'admin' | ProjectRole | 'member' | 'anonymous';
const callers: Caller[] = ['anonymous', 'member', ...projectRoles, 'admin'];
const projects = ['priv', 'pub'] as const;

let slipway: Slipway;
let dataDir: string;
const tokens: Partial<Record<Caller, string>> = {};
const deploymentOf: Record<string, string> = {};

async function call(method: string, path: string, as: Caller, body?: unknown): Promise<{ status: number; json: Json; text: string }> {
  const token = as === 'admin' ? slipway.adminToken : tokens[as];
  const headers: Record<string, string> = { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) };
  const res = await fetch(`${slipway.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (path === '/api/events' && res.status === 200) {
    // A live stream never ends: its status says the guard let the caller in.
    await res.body?.cancel();
    return { status: res.status, json: undefined, text: '' };
  }
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    json = undefined; // logs and artifacts are not JSON
  }
  return { status: res.status, json, text };
}

function allowed(rule: Rule, as: Caller, project: (typeof projects)[number]): boolean {
  if ('signature' in rule) return true;
  if ('runner' in rule) return false;
  if (as === 'admin') return true;
  if ('anyone' in rule) return true;
  if ('signedIn' in rule) return as !== 'anonymous';
  if ('admin' in rule) return false;
  if (rule.public && project === 'pub') return true;
  if (as === 'anonymous' || as === 'member') return false;
  return projectRoles.indexOf(as) >= projectRoles.indexOf(rule.role);
}

function concrete(key: string, project: string): { method: string; path: string } {
  const [method, template] = key.split(' ') as [string, string];
  const values: Record<string, string> = {
    project,
    run: encodeURIComponent(`${project}#1`),
    id: deploymentOf[project]!,
    env: 'production',
    name: 'NOPE',
    file: 'ci.yml',
    user: 'nobody-here',
    address: 'nowhere.invalid:22',
    job: 'job_nope',
    step: 'stp_nope',
    number: '1',
  };
  let path = template.replace(/\{([a-z]+)\}/g, (_, name: string) => values[name]!);
  if (byQuery.has(key)) path += `?project=${project}`;
  return { method, path };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-roles-'));
  slipway = await startSlipway({ dataDir, port: 0, env: { SLIPWAY_RUNNER_ENABLED: 'false' }, log: () => {} });
  for (const as of ['member', ...projectRoles] as const) {
    const res = await call('POST', '/api/users', 'admin', { name: `u-${as}` });
    assert.equal(res.status, 201, res.text);
    tokens[as] = res.json.token;
  }
  const { store } = slipway;
  for (const name of projects) {
    assert.equal((await call('POST', '/api/projects', 'admin', { name })).status, 201);
    for (const role of projectRoles) assert.equal((await call('PUT', `/api/projects/${name}/members/u-${role}`, 'admin', { role })).status, 201);
    // A run, a release and a deployment to read, as a push and its build would leave them.
    const project = await store.projects.require(name);
    const sha = '1'.repeat(40);
    const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/main', sha, error: 'seeded', eventPayload: {}, jobs: [] });
    const release = await store.releases.create({ project_id: project.id, run_id: run.id, sha, ref: run.ref, image: `${name}/app`, digest: `sha256:${'2'.repeat(64)}` });
    deploymentOf[name] = (await store.deployments.create({ project_id: project.id, environment: 'production', release_id: release.id, trigger: 'manual', triggered_by: 'admin' })).id;
  }
  assert.equal((await call('PUT', '/api/projects/pub/visibility', 'admin', { public: true })).status, 200);
});

after(async () => {
  await slipway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

void describe('role × route', () => {
  test('the table names every route the server has, and each route declares the permission it is checked with', async () => {
    const doc = (await call('GET', '/api/openapi.json', 'admin')).json;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual([...routes].sort(), Object.keys(expected).sort(), 'a new route needs an entry in this table (and a permission)');
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { 'x-slipway-permission'?: string; 'x-slipway-authentication'?: string }>>)) {
      for (const [m, op] of Object.entries(ops)) {
        const rule = expected[`${m.toUpperCase()} ${path}`]!;
        if ('role' in rule || 'admin' in rule || 'anyone' in rule) assert.ok(op['x-slipway-permission'], `${m} ${path} declares a permission`);
        // A signed route is told apart in the one route guard by this declaration, and has no permission.
        assert.equal(op['x-slipway-authentication'], 'signature' in rule ? 'signature' : undefined, `${m} ${path}: authenticated by signature iff the table says so`);
        if ('signature' in rule) assert.equal(op['x-slipway-permission'], undefined);
      }
    }
  });

  for (const key of Object.keys(expected)) {
    test(key, async () => {
      for (const project of projects) {
        for (const as of callers) {
          const { method, path } = concrete(key, project);
          const body = method === 'GET' || method === 'DELETE' || (method === 'POST' && /\/cancel$/.test(path)) ? undefined : { 'not-a-field': true };
          const res = await call(method, path, as, body);
          const what = `${as} ${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`;
          if ('signature' in expected[key]!) {
            // No forge link on these projects: a token neither opens the route nor is needed for its answer.
            assert.deepEqual([res.status, res.json?.error?.code, res.json?.error?.message], [404, 'NOT_FOUND', `no forge webhook is configured for project ${project}`], what);
          } else if (allowed(expected[key]!, as, project)) {
            assert.ok(res.status !== 401 && res.status !== 403 && res.status < 500, what);
          } else if (as === 'anonymous') {
            assert.deepEqual([res.status, res.json?.error?.code], [401, 'UNAUTHORIZED'], what);
          } else {
            assert.deepEqual([res.status, res.json?.error?.code], [403, 'FORBIDDEN'], what);
            const rule = expected[key]!;
            if ('runner' in rule) {
              assert.match(res.json.error.message, /may not .*: missing scope (runner; only a runner credential|register; a runner registers with a registration token)/, what);
            } else if ('role' in rule) {
              const role = as === 'member' ? 'u-member has no role and' : `role ${as}`;
              assert.match(res.json.error.message, new RegExp(`^project ${project}: ${role} may not .* \\(missing permission [a-z.]+; needs role ${rule.role}\\)$`), what);
            } else {
              assert.match(res.json.error.message, /^only an admin may .*: missing permission/, what);
            }
          }
        }
      }
    });
  }

  test('a refusal names the project, the role and the permission, as the issue asks', async () => {
    const res = await call('PUT', '/api/projects/priv/environments/production/secrets/DB', 'developer', { value: 'x' });
    assert.deepEqual([res.status, res.json.error.code], [403, 'FORBIDDEN']);
    assert.equal(res.json.error.message, 'project priv: role developer may not set secrets of environment production (missing permission secrets.write; needs role maintainer)');
    assert.equal((await call('PUT', '/api/projects/priv/environments/production/secrets/DB', 'maintainer', { value: 'x' })).status, 200);
  });

  test('listings show only what the caller may read', async () => {
    const names = async (as: Caller) => ((await call('GET', '/api/projects', as)).json as Json[]).map((p) => p.name);
    assert.deepEqual(await names('anonymous'), ['pub']);
    assert.deepEqual(await names('member'), ['pub']);
    for (const as of [...projectRoles, 'admin'] as const) assert.deepEqual(await names(as), ['priv', 'pub'], as);
    const runProjects = async (as: Caller) => [...new Set(((await call('GET', '/api/runs', as)).json as Json[]).map((r) => r.project))].sort();
    assert.deepEqual(await runProjects('anonymous'), ['pub']);
    assert.deepEqual(await runProjects('member'), ['pub']);
    assert.deepEqual(await runProjects('viewer'), ['priv', 'pub']);
    const deployments = async (as: Caller) => ((await call('GET', '/api/deployments', as)).json as Json[]).length;
    assert.equal(await deployments('member'), 0, 'deployments are for project members, public or not');
    assert.equal(await deployments('viewer'), 2);
    assert.equal((await call('GET', '/api/deployments', 'anonymous')).status, 401);
  });

  test('members: maintainers manage them; a project keeps a maintainer; a member added gains the role', async () => {
    const before = await call('GET', '/api/projects/priv/runs', 'member');
    assert.equal(before.status, 404, 'no such route: listing runs is /api/runs?project=');
    assert.equal((await call('GET', '/api/runs?project=priv', 'member')).status, 403);
    assert.equal((await call('PUT', '/api/projects/priv/members/u-member', 'maintainer', { role: 'viewer' })).status, 201);
    assert.equal((await call('GET', '/api/runs?project=priv', 'member')).status, 200);
    assert.equal((await call('PUT', '/api/projects/priv/members/u-member', 'developer', { role: 'maintainer' })).status, 403, 'developers cannot raise anyone');
    const list = (await call('GET', '/api/projects/priv/members', 'viewer')).json as Json[];
    assert.deepEqual(list.map((m) => [m.user, m.role]), [['admin', 'maintainer'], ['u-developer', 'developer'], ['u-maintainer', 'maintainer'], ['u-member', 'viewer'], ['u-viewer', 'viewer']]);
    assert.equal((await call('DELETE', '/api/projects/priv/members/admin', 'maintainer')).status, 200);
    const last = await call('DELETE', '/api/projects/priv/members/u-maintainer', 'maintainer');
    assert.deepEqual([last.status, last.json.error.code, last.json.error.message], [409, 'CONFLICT', 'project priv keeps at least one maintainer: add another maintainer first']);
    const demote = await call('PUT', '/api/projects/priv/members/u-maintainer', 'maintainer', { role: 'developer' });
    assert.equal(demote.status, 409);
    assert.equal((await call('DELETE', '/api/projects/priv/members/u-member', 'maintainer')).status, 200);
    assert.equal((await call('GET', '/api/runs?project=priv', 'member')).status, 403);
    const unknown = await call('PUT', '/api/projects/priv/members/ghost', 'maintainer', { role: 'viewer' });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'NOT_FOUND']);
  });

  test('the CLI: members add, list, rm; project public and show; a refusal names the permission', async () => {
    const cli = (as: Caller, ...args: string[]) => runCli(args, { env: { PATH: process.env.PATH, HOME: dataDir, SLIPWAY_URL: slipway.url, SLIPWAY_TOKEN: as === 'admin' ? slipway.adminToken : tokens[as] } });
    const add = await cli('maintainer', 'members', 'add', 'pub', 'u-member', '--role', 'developer');
    assert.deepEqual([add.code, add.stdout], [0, 'u-member is now developer of pub\n'], add.stderr);
    const change = await cli('maintainer', 'members', 'add', 'pub', 'u-member', '--role', 'viewer');
    assert.equal(change.stdout, 'u-member: developer → viewer in pub\n');
    const list = await cli('viewer', 'members', 'list', 'pub');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^USER\s+ROLE\s+SINCE\n/);
    assert.match(list.stdout, /\nu-member\s+viewer\s/);
    const refused = await cli('developer', 'members', 'rm', 'pub', 'u-member');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /403 project pub: role developer may not add, change or remove members \(missing permission members.write; needs role maintainer\)/);
    assert.equal((await cli('maintainer', 'members', 'rm', 'pub', 'u-member')).stdout, 'u-member removed from pub\n');
    const badRole = await cli('maintainer', 'members', 'add', 'pub', 'u-member', '--role', 'owner');
    assert.deepEqual([badRole.code, badRole.stderr.trim()], [2, 'slipway members: --role must be one of maintainer, developer, viewer, not "owner"']);
    const show = await cli('viewer', 'project', 'show', 'pub');
    assert.equal(show.stdout, 'project pub: public; your role: viewer\n');
    assert.equal((await cli('maintainer', 'project', 'public', 'pub', 'off')).stdout, 'project pub is private\n');
    assert.equal((await call('GET', '/api/projects/pub', 'anonymous')).status, 401);
    assert.match((await cli('maintainer', 'project', 'public', 'pub', 'on')).stdout, /^project pub is public: anyone may clone it/);
    assert.equal((await call('GET', '/api/projects/pub', 'anonymous')).status, 200);
    const projectList = await cli('member', 'project', 'list');
    assert.match(projectList.stdout, /\npub\s+public\s/);
    assert.doesNotMatch(projectList.stdout, /priv/);
  });

  test('a created project has its creator as maintainer; a public one is private again when its maintainer says so', async () => {
    const created = await call('POST', '/api/projects', 'member', { name: 'mine' });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual((await call('GET', '/api/projects/mine', 'member')).json.role, 'maintainer');
    assert.equal((await call('POST', '/api/projects', 'viewer', { name: 'mine' })).status, 403, 'an existing private project is not shown to a stranger');
    assert.equal((await call('PUT', '/api/projects/mine/visibility', 'member', { public: true })).status, 200);
    assert.equal((await call('GET', '/api/projects/mine', 'anonymous')).status, 200);
    assert.equal((await call('PUT', '/api/projects/mine/visibility', 'member', { public: false })).status, 200);
    assert.equal((await call('GET', '/api/projects/mine', 'anonymous')).status, 401);
  });
});
