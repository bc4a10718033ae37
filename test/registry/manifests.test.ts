// Manifests, tags and cross-repository mounts through the HTTP API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256Of } from '../../src/registry/digest.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';
import type { TestRegistry } from './test-registry.ts';
import { errorCode, startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
before(async () => {
  t = await startTestRegistry();
});
after(async () => t.close());

const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(new URL(path, t.baseUrl), init);

async function pushBlob(name: string, content: string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(content);
  const digest = sha256Of(bytes);
  const res = await call(`/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
  assert.equal(res.status, 201);
  return { digest, size: bytes.length };
}

async function imageManifest(name: string, seed: string, mediaType: string = mediaTypes.ociManifest): Promise<Buffer> {
  const config = await pushBlob(name, `{"config":"${seed}"}`);
  const layer = await pushBlob(name, `layer ${seed}`);
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  };
  return Buffer.from(JSON.stringify(manifest, null, 3)); // odd spacing: bytes must be kept
}

const putManifest = (name: string, ref: string, body: Buffer, type: string = mediaTypes.ociManifest): Promise<Response> =>
  call(`/v2/${name}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': type } });

void describe('registry: manifests and tags', () => {
  void it('PUT by tag stores the exact bytes; GET/HEAD by tag and by digest serve them', async () => {
    const body = await imageManifest('project/app', 'one');
    const digest = sha256Of(body);
    const put = await putManifest('project/app', 'v1', body);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), digest);
    assert.equal(put.headers.get('location'), `/v2/project/app/manifests/${digest}`);

    for (const ref of ['v1', digest]) {
      const get = await call(`/v2/project/app/manifests/${ref}`, { headers: { Accept: mediaTypes.ociManifest } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-type'), mediaTypes.ociManifest);
      assert.equal(get.headers.get('docker-content-digest'), digest);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), body);
      const head = await call(`/v2/project/app/manifests/${ref}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(body.length));
    }
    assert.equal(await t.registry.resolveTag('project/app', 'v1'), digest);
    assert.equal(await t.registry.resolveTag('project/app', 'v9'), undefined);
  });

  void it('PUT by digest checks the digest; Docker schema2 and indexes are accepted', async () => {
    const body = await imageManifest('docker/app', 'two', mediaTypes.dockerManifest);
    const digest = sha256Of(body);
    const wrong = await putManifest('docker/app', sha256Of(Buffer.from('x')), body, mediaTypes.dockerManifest);
    assert.equal(await errorCode(wrong), 'DIGEST_INVALID');
    assert.equal((await putManifest('docker/app', digest, body, mediaTypes.dockerManifest)).status, 201);
    const get = await call(`/v2/docker/app/manifests/${digest}`);
    assert.equal(get.headers.get('content-type'), mediaTypes.dockerManifest);

    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: [{ mediaType: mediaTypes.dockerManifest, digest, size: body.length, platform: { os: 'linux', architecture: 'amd64' } }],
      }),
    );
    assert.equal((await putManifest('docker/app', 'multi', index, mediaTypes.ociIndex)).status, 201);
    const missing = Buffer.from(index.toString().replace(digest, sha256Of(Buffer.from('nope'))));
    const bad = await putManifest('docker/app', 'broken', missing, mediaTypes.ociIndex);
    assert.equal(bad.status, 404);
    assert.equal(await errorCode(bad), 'MANIFEST_BLOB_UNKNOWN');
  });

  void it('rejects manifests whose blobs are not in the repository, and malformed ones', async () => {
    const body = await imageManifest('has/blobs', 'three');
    const res = await putManifest('lacks/blobs', 'v1', body); // blobs were pushed to another repository
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await errorCode(await putManifest('has/blobs', 'v1', Buffer.from('{not json'))), 'MANIFEST_INVALID');
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }));
    assert.equal(await errorCode(await putManifest('has/blobs', 'v1', schema1, 'application/vnd.docker.distribution.manifest.v1+json')), 'MANIFEST_INVALID');
    assert.equal(await errorCode(await putManifest('has/blobs', 'bad:tag', body)), 'DIGEST_INVALID');
  });

  void it('unknown manifests are 404 MANIFEST_UNKNOWN', async () => {
    const byTag = await call('/v2/project/app/manifests/nope');
    assert.equal(byTag.status, 404);
    assert.equal(await errorCode(byTag), 'MANIFEST_UNKNOWN');
    const byDigest = await call(`/v2/project/app/manifests/${sha256Of(Buffer.from('none'))}`);
    assert.equal(await errorCode(byDigest), 'MANIFEST_UNKNOWN');
    assert.equal((await call('/v2/project/app/manifests/nope', { method: 'HEAD' })).status, 404);
  });

  void it('tags list is sorted and paginated; unknown repositories are NAME_UNKNOWN', async () => {
    const body = await imageManifest('tagged', 'four');
    for (const tag of ['b', 'a', 'c', 'latest']) assert.equal((await putManifest('tagged', tag, body)).status, 201);
    assert.deepEqual(await (await call('/v2/tagged/tags/list')).json(), { name: 'tagged', tags: ['a', 'b', 'c', 'latest'] });
    const page = await call('/v2/tagged/tags/list?n=2');
    assert.deepEqual(await page.json(), { name: 'tagged', tags: ['a', 'b'] });
    assert.equal(page.headers.get('link'), '</v2/tagged/tags/list?n=2&last=b>; rel="next"');
    assert.deepEqual(await (await call('/v2/tagged/tags/list?n=2&last=b')).json(), { name: 'tagged', tags: ['c', 'latest'] });
    const unknown = await call('/v2/never/pushed/tags/list');
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'NAME_UNKNOWN');
  });

  void it('DELETE by tag removes the tag; by digest removes the manifest and its tags', async () => {
    const body = await imageManifest('deleting', 'five');
    const digest = sha256Of(body);
    await putManifest('deleting', 'keep', body);
    await putManifest('deleting', 'drop', body);
    assert.equal((await call('/v2/deleting/manifests/drop', { method: 'DELETE' })).status, 202);
    assert.deepEqual(((await (await call('/v2/deleting/tags/list')).json()) as { tags: string[] }).tags, ['keep']);
    assert.equal((await call(`/v2/deleting/manifests/${digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await call('/v2/deleting/manifests/keep')).status, 404);
    assert.equal((await call(`/v2/deleting/manifests/${digest}`, { method: 'DELETE' })).status, 404);
  });

  void it('mounts a blob from another repository, or starts a session when it cannot', async () => {
    const { digest } = await pushBlob('source/repo', 'shared layer');
    const mounted = await call(`/v2/target/repo/blobs/uploads/?mount=${digest}&from=source/repo`, { method: 'POST' });
    assert.equal(mounted.status, 201);
    assert.equal(mounted.headers.get('docker-content-digest'), digest);
    assert.equal((await call(`/v2/target/repo/blobs/${digest}`, { method: 'HEAD' })).status, 200);
    const fallback = await call(`/v2/target/repo/blobs/uploads/?mount=${digest}&from=empty/repo`, { method: 'POST' });
    assert.equal(fallback.status, 202);
    assert.match(fallback.headers.get('location') ?? '', /^\/v2\/target\/repo\/blobs\/uploads\/[A-Za-z0-9-]+$/);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual(t.errors, []);
  });
});
