// The distribution-spec v1.1 parts beyond push and pull, through real HTTP: referrers and
// OCI-Subject, sha512 digests, the catalog, and the status codes the conformance suite
// expects for malformed references and emptied repositories.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digestOf, sha256Of } from '../../src/registry/digest.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';
import { OciPusher } from './oci-push.ts';
import type { TestRegistry } from './test-registry.ts';
import { errorCode, startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
let oci: OciPusher;
before(async () => {
  t = await startTestRegistry();
  oci = new OciPusher(t.baseUrl);
});
after(async () => t.close());

interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: Array<{ mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }>;
}

async function referrers(name: string, subject: string, query = ''): Promise<{ res: Response; index: Index }> {
  const res = await oci.call(`/v2/${name}/referrers/${subject}${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), mediaTypes.ociIndex);
  return { res, index: (await res.json()) as Index };
}

void describe('registry: referrers API', () => {
  void it('lists manifests whose subject is the digest, with artifactType and annotations; OCI-Subject on their PUT', async () => {
    const image = await oci.manifest('refs/app', await oci.imageManifest('refs/app', 'image'), 'v1');
    const empty = await oci.blob('refs/app', '{}', 'application/vnd.oci.empty.v1+json');
    // artifactType from the config's media type …
    const sbom = await oci.imageManifest('refs/app', 'sbom', { subject: image, annotations: { kind: 'sbom' } }, 'application/example.sbom');
    const sbomPut = await oci.putManifest('refs/app', sha256Of(sbom), sbom);
    assert.equal(sbomPut.status, 201);
    assert.equal(sbomPut.headers.get('oci-subject'), image.digest);
    // … or from the manifest's own artifactType (config is the empty descriptor).
    const sigBody = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, artifactType: 'application/example.sig', config: empty, layers: [empty], subject: image, annotations: { kind: 'sig' } }));
    const sig = await oci.manifest('refs/app', sigBody);
    // An index can refer too.
    const indexBody = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, artifactType: 'application/example.bundle', manifests: [sig], subject: image }));
    const index = await oci.manifest('refs/app', indexBody, undefined, mediaTypes.ociIndex);

    const all = await referrers('refs/app', image.digest);
    assert.equal(all.res.headers.get('oci-filters-applied'), null);
    assert.equal(all.index.schemaVersion, 2);
    assert.equal(all.index.mediaType, mediaTypes.ociIndex);
    const byDigest = new Map(all.index.manifests.map((m) => [m.digest, m]));
    assert.equal(byDigest.size, 3);
    assert.deepEqual(byDigest.get(sha256Of(sbom)), { mediaType: mediaTypes.ociManifest, digest: sha256Of(sbom), size: sbom.length, artifactType: 'application/example.sbom', annotations: { kind: 'sbom' } });
    assert.deepEqual(byDigest.get(sig.digest), { mediaType: mediaTypes.ociManifest, digest: sig.digest, size: sig.size, artifactType: 'application/example.sig', annotations: { kind: 'sig' } });
    assert.deepEqual(byDigest.get(index.digest), { mediaType: mediaTypes.ociIndex, digest: index.digest, size: index.size, artifactType: 'application/example.bundle' });

    const filtered = await referrers('refs/app', image.digest, '?artifactType=application/example.sig');
    assert.equal(filtered.res.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(filtered.index.manifests.map((m) => m.digest), [sig.digest]);

    // Deleting a referrer takes it out of the list; the subject's other referrers stay.
    assert.equal((await oci.call(`/v2/refs/app/manifests/${sig.digest}`, { method: 'DELETE' })).status, 202);
    assert.deepEqual((await referrers('refs/app', image.digest)).index.manifests.map((m) => m.digest).sort(), [sha256Of(sbom), index.digest].sort());
  });

  void it('a subject that does not exist (yet) is accepted and listed; an unknown digest has an empty list', async () => {
    const ghost = { mediaType: mediaTypes.ociManifest, digest: sha256Of(Buffer.from('not pushed')), size: 10 };
    const body = await oci.imageManifest('refs/ghost', 'early', { subject: ghost });
    const res = await oci.putManifest('refs/ghost', 'early', body);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('oci-subject'), ghost.digest);
    assert.deepEqual((await referrers('refs/ghost', ghost.digest)).index.manifests.map((m) => m.digest), [sha256Of(body)]);
    assert.deepEqual((await referrers('refs/ghost', sha256Of(Buffer.from('nothing')))).index.manifests, []);
    assert.deepEqual((await referrers('never/pushed', ghost.digest)).index.manifests, [], 'an unknown repository has no referrers either');
    // Another repository's referrers are not this one's.
    assert.deepEqual((await referrers('refs/app', ghost.digest)).index.manifests, []);
  });

  void it('a malformed subject digest is 400 DIGEST_INVALID, in the URL and in a manifest', async () => {
    const res = await oci.call('/v2/refs/app/referrers/sha256:nothex');
    assert.deepEqual([res.status, await errorCode(res)], [400, 'DIGEST_INVALID']);
    const body = await oci.imageManifest('refs/app', 'bad-subject', { subject: { mediaType: mediaTypes.ociManifest, digest: 'sha256:short', size: 1 } });
    const put = await oci.putManifest('refs/app', 'bad', body);
    assert.deepEqual([put.status, await errorCode(put)], [400, 'MANIFEST_INVALID']);
  });
});

void describe('registry: sha512 digests', () => {
  void it('a blob pushed monolithically or in chunks under sha512 is verified with sha512 and served by that digest', async () => {
    const mono = await oci.blob('sha/app', 'sixty-four bytes are not needed', 'application/octet-stream', 'sha512');
    assert.match(mono.digest, /^sha512:[a-f0-9]{128}$/);
    const got = await oci.call(`/v2/sha/app/blobs/${mono.digest}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('docker-content-digest'), mono.digest);
    assert.equal(await got.text(), 'sixty-four bytes are not needed');

    const parts = [Buffer.from('first half, '), Buffer.from('second half')];
    const digest = digestOf(Buffer.concat(parts), 'sha512');
    const start = await oci.call('/v2/sha/app/blobs/uploads/', { method: 'POST' });
    let location = start.headers.get('location')!;
    const patch = await oci.call(location, { method: 'PATCH', body: parts[0], headers: { 'Content-Range': `0-${parts[0]!.length - 1}` } });
    assert.equal(patch.status, 202);
    location = patch.headers.get('location')!;
    const wrong = digestOf(Buffer.from('something else'), 'sha512');
    const bad = await oci.call(`${location}?digest=${wrong}`, { method: 'PUT', body: parts[1] });
    assert.deepEqual([bad.status, await errorCode(bad)], [400, 'DIGEST_INVALID']);

    const again = await oci.call('/v2/sha/app/blobs/uploads/', { method: 'POST' });
    const put = await oci.call(`${again.headers.get('location')!}?digest=${digest}`, { method: 'PUT', body: Buffer.concat(parts) });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), digest);
    assert.equal(await (await oci.call(`/v2/sha/app/blobs/${digest}`)).text(), 'first half, second half');
    assert.equal((await oci.call(`/v2/sha/app/blobs/${wrong}`, { method: 'HEAD' })).status, 404);
  });

  void it('a manifest pushed by its sha512 digest is checked against it and pulled by it', async () => {
    const body = await oci.imageManifest('sha/app', 'five-twelve');
    const digest = digestOf(body, 'sha512');
    const put = await oci.putManifest('sha/app', digest, body);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), digest);
    const get = await oci.call(`/v2/sha/app/manifests/${digest}`);
    assert.equal(get.status, 200);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), body);
    const mismatch = await oci.putManifest('sha/app', digestOf(Buffer.from('x'), 'sha512'), body);
    assert.deepEqual([mismatch.status, await errorCode(mismatch)], [400, 'DIGEST_INVALID']);
    // A layer named by a sha512 digest counts as present once pushed so.
    const layer = await oci.blob('sha/app', 'sha512 layer', 'application/vnd.oci.image.layer.v1.tar', 'sha512');
    const config = await oci.blob('sha/app', '{"c":512}', 'application/vnd.oci.image.config.v1+json', 'sha512');
    const all512 = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config, layers: [layer] }));
    assert.equal((await oci.putManifest('sha/app', 'all512', all512)).status, 201);
  });
});

void describe('registry: status codes the conformance suite expects', () => {
  void it('reading or deleting a malformed reference is 404 MANIFEST_UNKNOWN; pushing to one is 400', async () => {
    for (const ref of ['.INVALID_MANIFEST_NAME', 'sha256:totallywrong', '-dash', 'md5:abc']) {
      for (const method of ['GET', 'HEAD', 'DELETE']) {
        const res = await oci.call(`/v2/codes/app/manifests/${encodeURIComponent(ref)}`, { method });
        assert.equal(res.status, 404, `${method} ${ref}`);
        if (method !== 'HEAD') assert.equal(await errorCode(res), 'MANIFEST_UNKNOWN', `${method} ${ref}`);
      }
    }
    const body = await oci.imageManifest('codes/app', 'codes');
    const badTag = await oci.putManifest('codes/app', '.INVALID_MANIFEST_NAME', body);
    assert.deepEqual([badTag.status, await errorCode(badTag)], [400, 'MANIFEST_INVALID']);
    const badDigest = await oci.putManifest('codes/app', 'sha256:totallywrong', body);
    assert.deepEqual([badDigest.status, await errorCode(badDigest)], [400, 'DIGEST_INVALID']);
  });

  void it('tags/list of a repository whose manifests were all deleted is 200 with no tags; of an unknown one 404', async () => {
    const body = await oci.imageManifest('codes/emptied', 'gone');
    const m = await oci.manifest('codes/emptied', body, 'only');
    assert.equal((await oci.call(`/v2/codes/emptied/manifests/${m.digest}`, { method: 'DELETE' })).status, 202);
    const list = await oci.call('/v2/codes/emptied/tags/list');
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { name: 'codes/emptied', tags: [] });
    const unknown = await oci.call('/v2/codes/never/tags/list');
    assert.deepEqual([unknown.status, await errorCode(unknown)], [404, 'NAME_UNKNOWN']);
  });
});

void describe('registry: catalog', () => {
  void it('lists repositories holding a manifest, sorted, paginated by n and last with a Link header', async () => {
    for (const name of ['cat/c', 'cat/a', 'cat/b/nested', 'cat/b']) await oci.manifest(name, await oci.imageManifest(name, name), 'v1');
    await oci.blob('cat/blob-only', 'no manifest here');
    const all = (await (await oci.call('/v2/_catalog')).json()) as { repositories: string[] };
    const cats = all.repositories.filter((r) => r.startsWith('cat/'));
    assert.deepEqual(cats, ['cat/a', 'cat/b', 'cat/b/nested', 'cat/c']);

    const first = await oci.call('/v2/_catalog?n=2&last=cat/');
    assert.deepEqual(await first.json(), { repositories: ['cat/a', 'cat/b'] });
    assert.equal(first.headers.get('link'), '</v2/_catalog?n=2&last=cat%2Fb>; rel="next"');
    const next = await oci.call('/v2/_catalog?n=2&last=cat%2Fb');
    assert.deepEqual(((await next.json()) as { repositories: string[] }).repositories.slice(0, 2), ['cat/b/nested', 'cat/c']);

    const bad = await oci.call('/v2/_catalog?n=-1');
    assert.equal(bad.status, 400);
    assert.equal((await oci.call('/v2/_catalog', { method: 'DELETE' })).status, 405);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual(t.errors, []);
  });
});
