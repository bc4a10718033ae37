// The router wrapper on an in-process node:http server (port 0): parameters and their
// decoding, 404 vs 405, HEAD, schema errors, permissions before input, and declarations
// that do not match their path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { Router } from './router.ts';
import { replyError, sendJson } from './reply.ts';
import type { User } from '../../store/repos/users.ts';
import type { Principal } from '../../auth/principal.ts';

const member: User = { id: 'usr_bob', name: 'bob', role: 'member', created_at: '2026-01-01T00:00:00.000Z' };
const principal: Principal = { kind: 'user', user: member, token: { id: 'tok_bob', name: 'laptop', scope: 'admin' } };
const logged: string[] = [];
let base: string;
let server: http.Server;
let bodyHandlerRan = false;

const router = new Router()
  .route(
    { method: 'GET', path: '/api/things/:thing', summary: 'a thing', params: z.object({ thing: z.string() }), query: z.object({ limit: z.string().regex(/^\d+$/, 'expected a non-negative integer').transform(Number).optional() }) },
    ({ res, params, query, user }) => sendJson(res, 200, { thing: params.thing, limit: query.limit ?? null, user: user?.name }),
  )
  .route(
    { method: 'PUT', path: '/api/things/:thing', summary: 'set a thing', params: z.object({ thing: z.string().regex(/^[a-z]+$/, 'lowercase letters only') }), body: { schema: z.strictObject({ value: z.string() }), expected: '{"value": "<text>"}' } },
    ({ res, params, body }) => sendJson(res, 200, { thing: params.thing, value: body.value }),
  )
  .route(
    { method: 'POST', path: '/api/admin-only', summary: 'admins only', permission: 'users.create', body: { schema: z.strictObject({ name: z.string() }), expected: '{"name": "<user>"}' } },
    ({ res }) => {
      bodyHandlerRan = true;
      sendJson(res, 200, {});
    },
  )
  .route({ method: 'GET', path: '/api/broken', summary: 'fails' }, () => {
    throw new Error('disk on fire');
  });

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://test.invalid');
    router.dispatch(req, res, url, principal).catch((err) => replyError(res, err, `${req.method} ${url.pathname}`, (m) => logged.push(m)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

// Responses are read field by field and checked by the assertions themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: string): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${base}${path}`, { method, body, headers: body !== undefined ? { 'content-type': 'application/json' } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

test('path parameters are percent-decoded once, "/" and "#" included; trailing and doubled slashes are ignored', async () => {
  assert.deepEqual((await call('GET', '/api/things/a%2Fb%20c')).json, { thing: 'a/b c', limit: null, user: 'bob' });
  assert.equal((await call('GET', '/api/things/shop%231')).json.thing, 'shop#1');
  assert.equal((await call('GET', '/api/things/100%25')).json.thing, '100%');
  assert.equal((await call('GET', '/api/things/x/')).json.thing, 'x');
  assert.equal((await call('GET', '/api//things/x')).json.thing, 'x');
});

test('a parameter that is not valid percent-encoding is a 400 naming it', async () => {
  for (const bad of ['%ff', '%', 'a%zz']) {
    const r = await call('GET', `/api/things/${bad}`);
    assert.deepEqual([r.status, r.json.error.code], [400, 'BAD_REQUEST'], bad);
    assert.equal(r.json.error.message, `path parameter "thing" is not valid percent-encoding: ${JSON.stringify(bad)}`);
  }
});

test('no route is NOT_FOUND; a path with routes for other methods is UNSUPPORTED with Allow', async () => {
  const missing = await call('GET', '/api/nothing/here');
  assert.deepEqual([missing.status, missing.json.error], [404, { code: 'NOT_FOUND', message: 'no route for GET /api/nothing/here' }]);
  const wrong = await call('DELETE', '/api/things/x');
  assert.deepEqual([wrong.status, wrong.json.error.code, wrong.json.error.message], [405, 'UNSUPPORTED', 'method DELETE not allowed on /api/things/x']);
  assert.equal(wrong.headers.get('allow'), 'GET, HEAD, PUT');
  assert.equal((await call('PATCH', '/api/admin-only')).headers.get('allow'), 'POST');
});

test('HEAD runs the GET route and answers its headers without a body', async () => {
  const r = await fetch(`${base}/api/things/x`, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(Number(r.headers.get('content-length')) > 0);
  assert.equal(await r.text(), '');
});

test('query, params and body that miss their schema are 400s naming the field', async () => {
  assert.equal((await call('GET', '/api/things/x?limit=20')).json.limit, 20);
  const limit = await call('GET', '/api/things/x?limit=abc');
  assert.deepEqual([limit.status, limit.json.error.message], [400, 'query parameter "limit": expected a non-negative integer']);
  const param = await call('PUT', '/api/things/X1', '{"value": "v"}');
  assert.deepEqual([param.status, param.json.error.message], [400, 'path parameter "thing": lowercase letters only']);
  const field = await call('PUT', '/api/things/x', '{"value": 1}');
  assert.equal(field.status, 400);
  assert.match(field.json.error.message, /^expected \{"value": "<text>"\}: value: /);
  const extra = await call('PUT', '/api/things/x', '{"value": "v", "other": 1}');
  assert.match(extra.json.error.message, /^expected \{"value": "<text>"\}: body: .*"other"/);
  const notJson = await call('PUT', '/api/things/x', '{"value":');
  assert.deepEqual([notJson.status, notJson.json.error.code], [400, 'BAD_REQUEST']);
  assert.match(notJson.json.error.message, /^request body is not valid JSON/);
  assert.deepEqual((await call('PUT', '/api/things/x', '{"value": "v"}')).json, { thing: 'x', value: 'v' });
});

test('a route\'s permission is checked before its body is read', async () => {
  const r = await call('POST', '/api/admin-only', 'not json at all');
  assert.deepEqual([r.status, r.json.error.code], [403, 'FORBIDDEN']);
  assert.match(r.json.error.message, /only an admin may add users \(bob has role member\): missing permission users.create/);
  assert.equal(bodyHandlerRan, false);
});

test('a handler\'s unexpected error is a 500 INTERNAL, logged with its stack', async () => {
  logged.length = 0;
  const r = await call('GET', '/api/broken');
  assert.deepEqual([r.status, r.json.error], [500, { code: 'INTERNAL', message: 'internal error' }]);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^error on GET \/api\/broken: Error: disk on fire\n\s+at /);
});

test('a declaration whose params do not match its path is refused at registration', () => {
  const r = new Router();
  assert.throws(() => r.route({ method: 'GET', path: '/api/a/:x', summary: 's' }, () => {}), /params must declare exactly \[x\], not \[\]/);
  assert.throws(() => r.route({ method: 'GET', path: '/api/b', summary: 's', params: z.object({ y: z.string() }) }, () => {}), /params must declare exactly \[\], not \[y\]/);
  assert.equal(r.routes.length, 0);
});

test('the first of a repeated query key counts, as URLSearchParams.get reads it', async () => {
  assert.equal((await call('GET', '/api/things/x?limit=3&limit=abc')).json.limit, 3);
});

test('a JSON body needs Content-Type: application/json (415 naming the type), a body-less request needs none', async () => {
  const plain = await fetch(`${base}/api/things/abc`, { method: 'PUT', body: '{"value": "v"}', headers: { 'content-type': 'text/plain' } });
  assert.equal(plain.status, 415);
  const json = (await plain.json()) as { error: { code: string; message: string } };
  assert.equal(json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  assert.match(json.error.message, /Content-Type: application\/json, not text\/plain/);
  const form = await fetch(`${base}/api/things/abc`, { method: 'PUT', body: new URLSearchParams({ value: 'v' }) });
  assert.equal(form.status, 415);
  const charset = await fetch(`${base}/api/things/abc`, { method: 'PUT', body: '{"value": "v"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(charset.status, 200);
  // No body: the schema sees {} (and says what is missing), no type is asked for.
  const empty = await fetch(`${base}/api/things/abc`, { method: 'PUT' });
  assert.equal(empty.status, 400);
});
