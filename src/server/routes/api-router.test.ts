// The OpenAPI document generated from the API's route declarations: valid JSON with the
// OpenAPI 3.1 top level, every registered route in it with its path and query parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiRouter, type ApiRouterDeps } from './api-router.ts';
import { openApiDocument } from '../http/openapi.ts';
import { pathParamNames } from '../http/route.ts';

// Registration only keeps the dependencies for later requests; none is called here.
const router = apiRouter({ version: '9.9.9', runStarter: {} } as ApiRouterDeps);
const doc = openApiDocument(router.routes, { title: 'Slipway API', version: '9.9.9' });

interface Operation {
  summary: string;
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
  'x-slipway-permission'?: string;
}
const operation = (path: string, method: string) => (doc.paths[path] as Record<string, Operation> | undefined)?.[method];

test('the document is JSON with the OpenAPI 3.1 top level', () => {
  const parsed = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  assert.deepEqual(parsed, doc);
  assert.deepEqual(Object.keys(parsed).sort(), ['components', 'info', 'openapi', 'paths', 'security']);
  assert.equal(parsed.openapi, '3.1.0');
  assert.deepEqual(parsed.info, { title: 'Slipway API', version: '9.9.9' });
  for (const path of Object.keys(doc.paths)) assert.match(path, /^(\/api\/[a-z0-9./{}_-]+|\/metrics)$/);
});

test('every registered route is in it, with each path parameter and each declared query parameter', () => {
  assert.ok(router.routes.length >= 30, `only ${router.routes.length} routes`);
  for (const r of router.routes) {
    const template = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op = operation(template, r.method.toLowerCase());
    assert.ok(op, `${r.method} ${r.path} missing`);
    assert.equal(op.summary, r.summary);
    assert.ok(op.responses.default && op.responses['2XX'], `${r.method} ${r.path} responses`);
    const inPath = (op.parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(inPath.map((p) => p.name), pathParamNames(r.path), `${r.method} ${r.path} path parameters`);
    for (const p of inPath) assert.equal(p.required, true);
    const inQuery = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    assert.deepEqual(inQuery, Object.keys(r.query?.shape ?? {}), `${r.method} ${r.path} query parameters`);
    assert.equal(op.requestBody !== undefined, r.body !== undefined, `${r.method} ${r.path} body`);
    assert.equal(op['x-slipway-permission'], r.permission);
  }
  const count = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  assert.equal(count, router.routes.length);
});

test('schemas carry what the router checks: integer limits, required bodies, permissions', () => {
  const runs = operation('/api/runs', 'get')!;
  assert.deepEqual(runs.parameters!.find((p) => p.name === 'limit'), { name: 'limit', in: 'query', required: false, description: 'at most this many runs (default 50)', schema: { type: 'string', pattern: '^\\d+$' } });
  const project = operation('/api/projects', 'post')!.requestBody!;
  assert.equal(project.required, true);
  assert.deepEqual(project.content['application/json']!.schema, { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false });
  // {} is a valid re-run request (all jobs), so its body is optional.
  assert.equal(operation('/api/runs/{run}/rerun', 'post')!.requestBody!.required, false);
  assert.equal(operation('/api/users', 'get')!['x-slipway-permission'], 'users.list');
  assert.equal(operation('/api/hosts/{address}', 'delete')!['x-slipway-permission'], 'hosts.forget');
  assert.ok(operation('/api/openapi.json', 'get'));
});
