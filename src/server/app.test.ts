// The front door on an in-process server (port 0) with the real API router and stand-ins
// for the store, git and registry: tokens, one error path for every part, and input
// errors answered at the edge before any handler reads the store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler, type AppDeps } from './app.ts';
import { apiRouter, type ApiRouterDeps } from './routes/api-router.ts';
import type { User } from '../store/repos/users.ts';
import type { Store } from '../store/store.ts';
import { Access } from '../auth/access.ts';
import type { AuditRecord } from '../auth/audit.ts';

const admin: User = { id: 'usr_admin', name: 'admin', role: 'admin', created_at: '2026-01-01T00:00:00.000Z' };
const logged: string[] = [];
let base: string;
let server: http.Server;

// Only the token lookup (and a store without projects) is real: every request below is answered before a handler runs.
const adminToken = { id: 'tok_admin', name: 'admin.token', scope: 'admin', revoked_at: null, expires_at: null };
const store = {
  users: { tokenOwner: async (t: string) => (t === 'good' ? { user: admin, token: adminToken } : undefined), touchToken: async () => {} },
  projects: { get: async () => undefined },
} as unknown as Store;
const access = new Access(store, { projectsCreate: 'everyone' });
const audited: AuditRecord[] = [];
const deps: AppDeps = {
  store,
  access,
  git: { handle: async () => { throw new Error('git backend crashed'); } } as unknown as AppDeps['git'],
  registry: { handle: async () => { throw new TypeError('registry bug'); } },
  api: apiRouter({ store, access, version: '1.2.3', runStarter: { store } } as unknown as ApiRouterDeps),
  isReady: () => true,
  log: (m) => logged.push(m),
  audit: { record: async (e) => (audited.push(e), {} as never), list: async () => [] },
};

before(async () => {
  server = http.createServer(createHandler(deps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, token: string | undefined = 'good'): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

test('/healthz needs no token; everything else answers 401 without one', async () => {
  assert.deepEqual([(await call('GET', '/healthz', undefined)).status, (await call('GET', '/healthz', undefined)).json], [200, { ok: true }]);
  for (const path of ['/api/openapi.json', '/api/version', '/nowhere']) {
    const r = await call('GET', path, 'wrong');
    assert.deepEqual([r.status, r.json.error.code], [401, 'UNAUTHORIZED'], path);
  }
});

test('the OpenAPI document is served under /api to a caller with a token', async () => {
  const r = await call('GET', '/api/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  assert.equal(r.json.info.version, '1.2.3');
  assert.ok(r.json.paths['/api/runs/{run}'].get);
});

test('bad path escapes and a non-integer limit are 400s naming the parameter, not 500s', async () => {
  const escape = await call('GET', '/api/runs/%ff');
  assert.deepEqual([escape.status, escape.json.error], [400, { code: 'BAD_REQUEST', message: 'path parameter "run" is not valid percent-encoding: "%ff"' }]);
  const limit = await call('GET', '/api/runs?limit=abc');
  assert.deepEqual([limit.status, limit.json.error], [400, { code: 'BAD_REQUEST', message: 'query parameter "limit": expected a non-negative integer' }]);
});

test('paths outside the API, git and the registry are NOT_FOUND through the same error path', async () => {
  const r = await call('GET', '/nowhere');
  assert.deepEqual([r.status, r.json], [404, { error: { code: 'NOT_FOUND', message: 'no route for GET /nowhere' } }]);
  const method = await call('POST', '/api/version');
  assert.deepEqual([method.status, method.json.error.code, method.headers.get('allow')], [405, 'UNSUPPORTED', 'GET, HEAD']);
});

test('an unexpected error anywhere is a 500 INTERNAL and logged once with its stack', async () => {
  logged.length = 0;
  const registry = await call('GET', '/v2/');
  assert.deepEqual([registry.status, registry.json.error], [500, { code: 'INTERNAL', message: 'internal error' }]);
  const git = await call('GET', '/git/demo.git/info/refs');
  assert.equal(git.status, 500);
  assert.equal(logged.length, 2);
  assert.match(logged[0]!, /^error on GET \/v2\/: TypeError: registry bug\n\s+at /);
  assert.match(logged[1]!, /^error on GET \/git\/demo.git\/info\/refs: Error: git backend crashed\n\s+at /);
});
