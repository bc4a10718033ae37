// The UI's static files on a plain node:http server: what is served for which path, what
// is never served (outside the build, dot files), and the page shown when nothing is built.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUiPath, webUi } from './web-ui.ts';

let dir: string;
const servers: http.Server[] = [];

async function serve(root: string): Promise<string> {
  const ui = webUi(root);
  const server = http.createServer((req, res) => void ui(req, res, new URL(req.url ?? '/', 'http://x')));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-webui-'));
  await mkdir(join(dir, 'dist/assets'), { recursive: true });
  await writeFile(join(dir, 'dist/index.html'), '<!doctype html><title>ui</title>\n');
  await writeFile(join(dir, 'dist/assets/index-abc.css'), 'body{}\n');
  await writeFile(join(dir, 'dist/.env'), 'SECRET=1\n');
  await writeFile(join(dir, 'outside.txt'), 'not for the web\n');
});
after(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

test('the UI answers every path but the API, git, the registry and the health check', () => {
  for (const p of ['/', '/projects/x', '/runs/r/jobs/j', '/apis', '/gitlab', '/v2x']) assert.ok(isUiPath(p), p);
  for (const p of ['/api', '/api/runs', '/git/x.git/info/refs', '/v2/', '/v2', '/healthz', '/metrics']) assert.ok(!isUiPath(p), p);
});

test('nothing outside the build and no dot file is served: those paths get the app page', async () => {
  const base = await serve(join(dir, 'dist'));
  for (const path of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/.env', '/%2eenv']) {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    assert.doesNotMatch(text, /not for the web|SECRET/, path);
  }
  // An encoded slash keeps `..` inside one segment past the URL parser: refused, not resolved.
  assert.equal((await fetch(`${base}/assets/..%2findex.html`)).status, 404);
  assert.equal((await fetch(`${base}/assets/%ff`)).status, 404);
});

test('a revalidation with the same ETag gets 304; HEAD gets headers only', async () => {
  const base = await serve(join(dir, 'dist'));
  const first = await fetch(`${base}/assets/index-abc.css`);
  assert.equal(first.headers.get('content-type'), 'text/css; charset=utf-8');
  const etag = first.headers.get('etag')!;
  assert.equal((await fetch(`${base}/assets/index-abc.css`, { headers: { 'if-none-match': etag } })).status, 304);
  const head = await fetch(`${base}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('without a build, every UI path says so (503) and names the directory', async () => {
  const base = await serve(join(dir, 'nothing-here'));
  const res = await fetch(`${base}/projects`);
  assert.equal(res.status, 503);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(await res.text(), /The web UI is not built.*nothing-here/s);
});
