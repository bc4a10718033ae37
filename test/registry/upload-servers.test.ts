// An upload session whose chunks reach different servers on one storage (several servers
// behind a load balancer, issue 13): each server keeps a running hash of the chunks it took
// in memory only, so a server that did not see the previous chunks hashes what storage holds
// so far instead of failing, and the digest check at the end stays exact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { digestOf } from '../../src/registry/digest.ts';
import type { TestRegistry } from './test-registry.ts';
import { errorCode, startTestRegistry } from './test-registry.ts';

let a: TestRegistry;
let b: TestRegistry;

before(async () => {
  a = await startTestRegistry();
  b = await startTestRegistry({ root: a.root });
});
after(async () => {
  await b.close();
  await a.close();
});

const call = (server: TestRegistry, path: string, init: RequestInit = {}): Promise<Response> => fetch(new URL(path, server.baseUrl), init);

/** Starts a session on `server`; resolves to its path. */
async function start(server: TestRegistry, name: string): Promise<string> {
  const res = await call(server, `/v2/${name}/blobs/uploads/`, { method: 'POST' });
  assert.equal(res.status, 202);
  return res.headers.get('location')!;
}

async function patch(server: TestRegistry, location: string, chunk: Buffer, at: number): Promise<void> {
  const res = await call(server, location, { method: 'PATCH', body: chunk, headers: { 'Content-Range': `${at}-${at + chunk.length - 1}` } });
  assert.equal(res.status, 202, await res.text());
  assert.equal(res.headers.get('range'), `0-${at + chunk.length - 1}`);
}

/** Chunks of distinct bytes, large enough that a storage read takes several reads. */
function parts(count: number, bytes: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(bytes, i + 1));
}

void describe('registry: one upload through two servers on one storage', () => {
  void it('chunks alternate between the servers and the blob commits under its digest', async () => {
    const chunks = parts(4, 3 * 1024 * 1024 + 7);
    const whole = Buffer.concat(chunks);
    const digest = digestOf(whole);
    const location = await start(a, 'lb/app');
    let at = 0;
    // a, b, a (its running hash is stale: b appended meanwhile), b.
    for (const [i, chunk] of chunks.entries()) {
      await patch(i % 2 === 0 ? a : b, location, chunk, at);
      at += chunk.length;
    }
    const put = await call(a, `${location}?digest=${digest}`, { method: 'PUT' });
    assert.equal(put.status, 201, await put.text());
    for (const server of [a, b]) {
      const got = Buffer.from(await (await call(server, `/v2/lb/app/blobs/${digest}`)).arrayBuffer());
      assert.equal(createHash('sha256').update(got).digest('hex'), digest.slice('sha256:'.length));
    }
  });

  void it('a server that took no chunk closes the upload with the last one', async () => {
    const chunks = parts(2, 100_000);
    const digest = digestOf(Buffer.concat(chunks));
    const location = await start(a, 'lb/last');
    await patch(a, location, chunks[0]!, 0);
    const put = await call(b, `${location}?digest=${digest}`, { method: 'PUT', body: chunks[1]!, headers: { 'Content-Range': `100000-199999` } });
    assert.equal(put.status, 201, await put.text());
    assert.equal(put.headers.get('docker-content-digest'), digest);
  });

  void it('a wrong digest is still refused when the other server holds the running hash', async () => {
    const chunks = parts(2, 50_000);
    const location = await start(a, 'lb/wrong');
    await patch(a, location, chunks[0]!, 0);
    await patch(b, location, chunks[1]!, 50_000);
    const wrong = digestOf(Buffer.concat([chunks[0]!, chunks[0]!]));
    const put = await call(a, `${location}?digest=${wrong}`, { method: 'PUT' });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), 'DIGEST_INVALID');
    assert.equal((await call(b, `/v2/lb/wrong/blobs/${wrong}`, { method: 'HEAD' })).status, 404);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual([...a.errors, ...b.errors], []);
  });
});
