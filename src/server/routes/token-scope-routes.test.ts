// Every route the API has, walked with tokens whose scope does not reach it: a job token
// (of another run) gets 403 naming its scope on every route, a read token on every route
// that writes, a write token on every route that administers. Nothing reaches a handler:
// the store here is empty on purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiRouter, type ApiRouterDeps } from './api-router.ts';
import { replyError } from '../http/reply.ts';
import type { Principal, TokenScope } from '../../auth/principal.ts';
import { pathParamNames } from '../http/route.ts';

const router = apiRouter({ version: '1', runStarter: {} } as unknown as ApiRouterDeps);
const user = { id: 'usr_a', name: 'alice', role: 'admin' as const, created_at: '2026-01-01T00:00:00.000Z' };
const principals: Record<string, Principal> = {
  job: { kind: 'job', user: { ...user, id: 'job:j', name: 'job:hello/j', role: 'member' }, job: { id: 'j', runId: 'run_mine', project: 'hello', projectId: 'prj' } },
  read: { kind: 'user', user, token: { id: 't1', name: 'ro', scope: 'read' } },
  write: { kind: 'user', user, token: { id: 't2', name: 'rw', scope: 'write' } },
};
let base: string;
let server: http.Server;
before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://test.invalid');
    const who = principals[String(req.headers['x-principal'])]!;
    router.dispatch(req, res, url, who).catch((err) => replyError(res, err, url.pathname, () => {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Routes a forge signs (route.ts `authenticatedBy`): no token is checked there, so none is refused. */
const tokenRoutes = router.routes.filter((r) => !r.authenticatedBy);

test('the only routes that take no token are the signed forge webhooks', () => {
  assert.deepEqual(router.routes.filter((r) => r.authenticatedBy).map((r) => `${r.method} ${r.path} ${r.authenticatedBy}`), ['POST /api/webhooks/:project signature']);
});

const concrete = (path: string) => pathParamNames(path).reduce((p, name) => p.replace(`:${name}`, name === 'run' ? 'run_other' : 'x'), path);

async function refused(who: string, method: string, path: string): Promise<{ status: number; message: string }> {
  const res = await fetch(`${base}${concrete(path)}`, { method, headers: { 'x-principal': who, 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: '{}' }) });
  const body = (await res.json()) as { error?: { message: string } };
  return { status: res.status, message: body.error?.message ?? '' };
}

test('a job token is refused on every route but its own run\'s artifacts, naming its scope', async () => {
  assert.ok(router.routes.length > 30);
  for (const r of tokenRoutes) {
    const { status, message } = await refused('job', r.method, r.path);
    assert.equal(status, 403, `${r.method} ${r.path}`);
    assert.match(message, /^the job token of project hello \(run run_mine\) may not .*: missing scope; a job token's scope is project hello only/, `${r.method} ${r.path}`);
  }
});

test('a read token is refused on every route that writes, a write token on every route that administers', async () => {
  const admin = ['POST /api/users', 'GET /api/users', 'DELETE /api/hosts/:address', 'POST /api/tokens', 'DELETE /api/tokens/:token', 'PUT /api/users/:name/password',
    'POST /api/runners/registration-tokens', 'GET /api/runners/registration-tokens', 'DELETE /api/runners/registration-tokens/:id', 'DELETE /api/runners/:name/credential',
    'POST /api/runners/:name/pause', 'POST /api/runners/:name/resume', 'POST /api/runners/:name/drain', 'DELETE /api/runners/:name'];
  for (const r of tokenRoutes) {
    const key = `${r.method} ${r.path}`;
    const needed: TokenScope = admin.includes(key) ? 'admin' : r.method === 'GET' ? 'read' : 'write';
    for (const scope of ['read', 'write'] as const) {
      if (scope === 'write' && needed !== 'admin') continue;
      if (scope === 'read' && needed === 'read') continue;
      const { status, message } = await refused(scope, r.method, r.path);
      assert.equal(status, 403, `${scope} token on ${key}`);
      assert.match(message, new RegExp(`scope ${scope}\\) may not ${r.method} .*: missing scope ${needed}$`), key);
    }
  }
});
