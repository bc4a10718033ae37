// Registry garbage collection and upload purging through the HTTP API (src/registry/gc.ts,
// upload-purge.ts): what goes, what stays, and what a dry run reports.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sha256Of } from '../../src/registry/digest.ts';
import type { OciClient } from './oci-client.ts';
import { checkStorage, ociClient } from './oci-client.ts';
import type { TestRegistry } from './test-registry.ts';
import { startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
let oci: OciClient;
beforeEach(async () => {
  t = await startTestRegistry();
  oci = ociClient(t.baseUrl);
});
afterEach(async () => {
  assert.deepEqual(t.errors, []);
  await t.close();
});

const layer = (): Buffer => randomBytes(2048);
const gc = (o: { dryRun?: boolean; graceMs?: number; pins?: { repository: string; digest: string }[] } = {}) =>
  t.registry.collectGarbage({ graceMs: 0, ...o });
/** A report without its duration, to compare. */
const counts = ({ durationMs: _, ...rest }: Awaited<ReturnType<typeof gc>>) => rest;
const nothing = { dryRun: false, manifests: 0, links: 0, blobs: 0, bytes: 0, spared: 0 };
const blobCount = async (): Promise<number> => (await t.storage.list('blobs/')).length;

void describe('registry garbage collection', () => {
  void it('frees an untagged image and keeps a tagged one, shared layers included; a dry run only counts', async () => {
    const shared = layer();
    await oci.pushImage('p/app', 'v1', [shared, layer()]);
    const old = await oci.pushImage('p/app', 'v0', [shared, layer()]);
    assert.equal((await oci.call(`/v2/p/app/manifests/v0`, { method: 'DELETE' })).status, 202);
    assert.equal(await blobCount(), 7); // two configs, three layers, two manifests

    const dry = await gc({ dryRun: true });
    assert.deepEqual(counts(dry), { dryRun: true, manifests: 1, links: 3, blobs: 3, bytes: dry.bytes, spared: 0 });
    assert.ok(dry.bytes > 2048);
    assert.equal(await blobCount(), 7, 'a dry run deletes nothing');

    const real = await gc();
    assert.deepEqual(counts(real), { ...counts(dry), dryRun: false });
    assert.equal((await oci.call(`/v2/p/app/manifests/${old.digest}`)).status, 404);
    const check = await checkStorage(t.storage, oci);
    assert.deepEqual(check.unreferenced, []);
    assert.equal(check.manifests, 1);
    assert.equal(await blobCount(), 4);
    assert.deepEqual(counts(await gc()), nothing, 'a second run finds nothing');
  });

  void it('a tagged index keeps its untagged entries; untagged, they all go', async () => {
    const a = await oci.pushImage('p/multi', undefined, [layer()]);
    const b = await oci.pushImage('p/multi', undefined, [layer()]);
    await oci.pushIndex('p/multi', 'latest', [a, b]);
    assert.equal((await gc()).manifests, 0);
    assert.equal((await checkStorage(t.storage, oci)).manifests, 3);

    assert.equal((await oci.call('/v2/p/multi/manifests/latest', { method: 'DELETE' })).status, 202);
    const report = await gc();
    assert.equal(report.manifests, 3);
    assert.equal(await blobCount(), 0);
  });

  void it('a referrer lives while its subject does (OCI subject), and goes with it', async () => {
    const image = await oci.pushImage('p/signed', 'v1', [layer()]);
    const signature = await oci.pushImage('p/signed', undefined, [Buffer.from('signature')], { subject: image });
    assert.equal((await gc()).manifests, 0);
    assert.equal((await oci.call(`/v2/p/signed/manifests/${signature.digest}`)).status, 200);

    const listed = async () => ((await (await oci.call(`/v2/p/signed/referrers/${image.digest}`)).json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    assert.deepEqual(await listed(), [signature.digest]);

    assert.equal((await oci.call('/v2/p/signed/manifests/v1', { method: 'DELETE' })).status, 202);
    assert.equal((await gc()).manifests, 2);
    assert.equal(await blobCount(), 0);
    // Its entry in the subject's referrers list went with it: nothing of the repository is left.
    assert.deepEqual(await t.storage.list('repositories/p/signed/_referrers/'), []);
    assert.deepEqual(await listed(), []);
  });

  void it('keeps what is younger than the grace period, and pinned manifests whatever their tags', async () => {
    const young = await oci.pushImage('p/young', undefined, [layer()]);
    await oci.pushBlob('p/young', layer()); // a layer whose manifest has not come yet
    assert.deepEqual(counts(await gc({ graceMs: 60_000 })), nothing);
    const pinned = await gc({ pins: [{ repository: 'p/young', digest: young.digest }] });
    assert.equal(pinned.manifests, 0);
    assert.equal(pinned.blobs, 1, 'only the lone layer goes');
    assert.equal((await oci.call(`/v2/p/young/manifests/${young.digest}`)).status, 200);
    assert.equal((await gc()).manifests, 1);
    assert.equal(await blobCount(), 0);
  });

  void it('a blob link of one repository keeps the blob another repository dropped', async () => {
    const bytes = layer();
    const desc = await oci.pushBlob('p/one', bytes);
    await oci.pushImage('p/two', 'v1', [bytes]);
    const report = await gc();
    assert.equal(report.links, 1, "p/one's unreferenced link goes");
    assert.equal(report.blobs, 0, 'the blob stays for p/two');
    assert.equal((await oci.call(`/v2/p/two/blobs/${desc.digest}`)).status, 200);
    assert.equal((await oci.call(`/v2/p/one/blobs/${desc.digest}`)).status, 404);
  });
});

void describe('abandoned uploads', () => {
  void it('are purged past their age; younger ones stay and can be finished', async () => {
    const start = async (): Promise<string> => {
      const res = await oci.call('/v2/p/up/blobs/uploads/', { method: 'POST' });
      const location = res.headers.get('location')!;
      const patch = await oci.call(location, { method: 'PATCH', body: Buffer.alloc(5000, 1), headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(patch.status, 202);
      return location;
    };
    const abandoned = await start();
    assert.deepEqual(await t.registry.purgeUploads(3_600_000), { uploads: 0, bytes: 0 });
    const between = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const young = await start();
    // Older than the abandoned one's age, younger than the young one's: the 50 ms between them.
    assert.deepEqual(await t.registry.purgeUploads(Date.now() - between - 25), { uploads: 1, bytes: 5000 });
    assert.equal((await oci.call(abandoned)).status, 404);
    const digest = sha256Of(Buffer.alloc(5000, 1));
    assert.equal((await oci.call(`${young}?digest=${digest}`, { method: 'PUT' })).status, 201);
    assert.deepEqual((await t.storage.list('repositories/p/up/_uploads/')), []);
  });
});
