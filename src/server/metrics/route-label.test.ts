import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router } from '../http/router.ts';
import { routeLabel } from './route-label.ts';
import { runParams } from '../routes/fields.ts';

void test('route labels are templates: no project, run, digest or upload id ever becomes a label', () => {
  const router = new Router().route({ method: 'GET', path: '/api/runs/:run', summary: 'a run', params: runParams }, () => {});
  const label = (method: string, path: string) => routeLabel(router, method, path);
  assert.equal(label('GET', '/api/runs/run_123'), '/api/runs/:run');
  assert.equal(label('HEAD', '/api/runs/run_123'), '/api/runs/:run');
  assert.equal(label('GET', '/api/nothing/here'), '(unmatched)');
  assert.equal(label('GET', '/healthz'), '/healthz');
  assert.equal(label('GET', '/v2/'), '/v2/');
  assert.equal(label('GET', '/v2/_catalog'), '/v2/_catalog');
  assert.equal(label('HEAD', '/v2/hello/web/blobs/sha256:abc'), '/v2/:name/blobs/:digest');
  assert.equal(label('POST', '/v2/hello/web/blobs/uploads/'), '/v2/:name/blobs/uploads/');
  assert.equal(label('PATCH', '/v2/hello/web/blobs/uploads/9f3e'), '/v2/:name/blobs/uploads/:id');
  assert.equal(label('PUT', '/v2/a/b/c/manifests/v1'), '/v2/:name/manifests/:reference');
  assert.equal(label('GET', '/v2/hello/tags/list'), '/v2/:name/tags/list');
  assert.equal(label('GET', '/v2/hello/referrers/sha256:abc'), '/v2/:name/referrers/:digest');
  assert.equal(label('GET', '/v2/hello/whatever'), '/v2/(other)');
  assert.equal(label('GET', '/git/hello.git/info/refs'), '/git/:project.git/info/refs');
  assert.equal(label('POST', '/git/hello.git/git-receive-pack'), '/git/:project.git/git-receive-pack');
  assert.equal(label('GET', '/git/hello.git/HEAD'), '/git/(other)');
  assert.equal(label('GET', '/p/hello/runs/3'), '(ui)');
});
