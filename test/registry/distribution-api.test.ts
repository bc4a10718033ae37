// The distribution API in-process over real HTTP: base check, blob pushes (monolithic and
// chunked), digest verification, names, and flat memory for a large layer.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { sha256Of } from '../../src/registry/digest.ts';
import { blobKey } from '../../src/registry/layout.ts';
import type { TestRegistry } from './test-registry.ts';
import { errorCode, startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
before(async () => {
  t = await startTestRegistry();
});
after(async () => t.close());

const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(new URL(path, t.baseUrl), init);

void describe('registry: base and blobs', () => {
  void it('GET /v2/ answers 200 {} with the API version header', async () => {
    const res = await call('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await res.json(), {});
  });

  void it('monolithic upload: POST ?digest= stores the blob; HEAD and GET serve it', async () => {
    const data = Buffer.from('a monolithic layer');
    const digest = sha256Of(data);
    const put = await call(`/v2/project/image/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('location'), `/v2/project/image/blobs/${digest}`);
    assert.equal(put.headers.get('docker-content-digest'), digest);

    const head = await call(`/v2/project/image/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(data.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const get = await call(`/v2/project/image/blobs/${digest}`);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), data);

    // Blobs are per repository: another repository does not see it.
    assert.equal((await call(`/v2/other/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    const missing = await call(`/v2/other/blobs/${digest}`);
    assert.equal(await errorCode(missing), 'BLOB_UNKNOWN');
  });

  void it('chunked upload: POST, PATCH in order, status, out-of-order 416, PUT with last chunk', async () => {
    const parts = [Buffer.from('first-'), Buffer.from('second-'), Buffer.from('last')];
    const digest = sha256Of(Buffer.concat(parts));
    const start = await call('/v2/chunks/blobs/uploads/', { method: 'POST' });
    assert.equal(start.status, 202);
    assert.equal(start.headers.get('range'), '0-0');
    const uuid = start.headers.get('docker-upload-uuid');
    let location = start.headers.get('location') ?? '';
    assert.equal(location, `/v2/chunks/blobs/uploads/${uuid}`);

    const p1 = await call(location, { method: 'PATCH', body: parts[0], headers: { 'Content-Range': '0-5' } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), '0-5');
    location = p1.headers.get('location') ?? '';

    const wrong = await call(location, { method: 'PATCH', body: parts[1], headers: { 'Content-Range': '3-9' } });
    assert.equal(wrong.status, 416);
    assert.equal(await errorCode(wrong), 'BLOB_UPLOAD_INVALID');

    const p2 = await call(location, { method: 'PATCH', body: parts[1] }); // no Content-Range: streamed
    assert.equal(p2.headers.get('range'), '0-12');
    const status = await call(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-12');

    const done = await call(`${location}?digest=${digest}`, { method: 'PUT', body: parts[2] });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('docker-content-digest'), digest);
    const get = await call(`/v2/chunks/blobs/${digest}`);
    assert.equal(await get.text(), 'first-second-last');
    assert.equal((await call(location)).status, 404, 'the session is over');
  });

  void it('a chunked upload hashed after a restart (no running hash) is still verified', async () => {
    const start = await call('/v2/restart/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    await call(location, { method: 'PATCH', body: 'abc' });
    // A second registry process on the same storage has no running hash for this upload.
    const restarted = await startTestRegistry({ root: t.root });
    try {
      const done = await fetch(new URL(`${location}?digest=${sha256Of(Buffer.from('abc'))}`, restarted.baseUrl), { method: 'PUT' });
      assert.equal(done.status, 201);
      const wrong = await call('/v2/restart/blobs/uploads/', { method: 'POST' });
      const wrongAt = new URL(wrong.headers.get('location') ?? '', restarted.baseUrl);
      await call(wrongAt.pathname, { method: 'PATCH', body: 'abc' });
      wrongAt.searchParams.set('digest', sha256Of(Buffer.from('abd')));
      assert.equal((await fetch(wrongAt, { method: 'PUT' })).status, 400);
    } finally {
      await restarted.close();
    }
  });

  void it('DELETE cancels an upload session', async () => {
    const start = await call('/v2/cancel/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    await call(location, { method: 'PATCH', body: 'partial' });
    assert.equal((await call(location, { method: 'DELETE' })).status, 204);
    const after = await call(location);
    assert.equal(after.status, 404);
    assert.equal(await errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  void it('a wrong digest is 400 DIGEST_INVALID and leaves nothing visible', async () => {
    const claimed = sha256Of(Buffer.from('what the client claims'));
    const mono = await call(`/v2/bad/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: 'other bytes' });
    assert.equal(mono.status, 400);
    assert.equal(await errorCode(mono), 'DIGEST_INVALID');
    assert.equal((await call(`/v2/bad/blobs/${claimed}`, { method: 'HEAD' })).status, 404);
    assert.equal(await t.storage.stat(blobKey(claimed)), undefined);

    const start = await call('/v2/bad/blobs/uploads/', { method: 'POST' });
    const location = start.headers.get('location') ?? '';
    await call(location, { method: 'PATCH', body: 'chunk' });
    const done = await call(`${location}?digest=${claimed}`, { method: 'PUT' });
    assert.equal(done.status, 400);
    assert.equal(await errorCode(done), 'DIGEST_INVALID');
    assert.equal(await t.storage.stat(blobKey(claimed)), undefined);
    assert.equal((await call(location)).status, 404, 'the failed session is cancelled');

    const malformed = await call('/v2/bad/blobs/uploads/?digest=sha256:xyz', { method: 'POST', body: 'x' });
    assert.equal(await errorCode(malformed), 'DIGEST_INVALID');
  });

  void it('invalid names are 400 NAME_INVALID; unknown uploads 404 BLOB_UPLOAD_UNKNOWN', async () => {
    for (const path of ['/v2/Upper/tags/list', '/v2/a..b/tags/list', '/v2/-a/blobs/uploads/', '/v2/a//b/tags/list']) {
      const res = await call(path, { method: path.endsWith('uploads/') ? 'POST' : 'GET' });
      assert.equal(res.status, 400, path);
      assert.equal(await errorCode(res), 'NAME_INVALID', path);
    }
    const unknown = await call('/v2/ok/blobs/uploads/00000000-0000-0000-0000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'BLOB_UPLOAD_UNKNOWN');
    assert.equal(await errorCode(await call('/v2/ok/blobs/uploads/..%2F..')), 'BLOB_UPLOAD_UNKNOWN');
  });

  void it('streams a 256 MiB layer in and out with flat memory', async () => {
    // node:http on both ends (fetch keeps a streamed request body's chunks alive).
    const blocks = 256;
    const expected = createHash('sha256');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < blocks; i++) expected.update(block.fill(i % 251));
    const digest = `sha256:${expected.digest('hex')}`;
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < blocks; i++) yield Buffer.alloc(1 << 20, i % 251);
    }
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${t.baseUrl}/v2/big/blobs/uploads/?digest=${digest}`, { method: 'POST' }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        pipeline(Readable.from(body()), req).catch(reject);
      });
      assert.equal(status, 201);
      const h = createHash('sha256');
      let size = 0;
      await new Promise<void>((resolve, reject) => {
        request(`${t.baseUrl}/v2/big/blobs/${digest}`, (res) => {
          res.on('data', (chunk: Buffer) => (h.update(chunk), (size += chunk.length)));
          res.on('end', resolve).on('error', reject);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(size, blocks << 20);
      assert.equal(`sha256:${h.digest('hex')}`, digest);
    } finally {
      clearInterval(sampler);
    }
    const grew = (peak - rssBefore) / (1 << 20);
    assert.ok(grew < 160, `memory grew by ${grew.toFixed(0)} MiB while streaming 256 MiB`);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual(t.errors, []);
  });
});
