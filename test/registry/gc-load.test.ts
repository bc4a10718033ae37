// Garbage collection under load (issue 14): 20 clients push at once, each re-pushing its tag
// with new layers (so what it pushed before becomes garbage) and sharing one layer with the
// others, as real clients do: HEAD each blob, upload only the missing ones (monolithic or
// chunked), then the manifest. GC runs in a loop the whole time. Every push must succeed,
// every tag must resolve right after its push, and afterwards every manifest resolves,
// every blob it names verifies against its digest, and nothing unreferenced is left.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { GcReport } from '../../src/registry/gc.ts';
import { sha256Of } from '../../src/registry/digest.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';
import { checkStorage, ociClient } from './oci-client.ts';
import type { Descriptor, OciClient } from './oci-client.ts';
import type { TestRegistry } from './test-registry.ts';
import { startTestRegistry } from './test-registry.ts';

let t: TestRegistry;
let oci: OciClient;
before(async () => {
  t = await startTestRegistry();
  oci = ociClient(t.baseUrl);
});
after(async () => t.close());

const clients = 20;
/** At least; each client goes on until GC has freed something during the load (at most 60). */
const pushesEach = 6;
/** Longer than one push takes from its first blob to its manifest, even on a loaded machine. */
const graceMs = 5000;
let freedDuringLoad = 0;

/** HEAD, then upload only if the repository lacks it (what podman and skopeo do). */
async function ensureBlob(name: string, bytes: Buffer, chunked: boolean): Promise<Descriptor> {
  const digest = sha256Of(bytes);
  const head = await oci.call(`/v2/${name}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: bytes.length };
  return oci.pushBlob(name, bytes, { chunked });
}

async function client(n: number, shared: Buffer): Promise<number> {
  const name = `load/app${n % 5}`; // four clients per repository
  let i = 0;
  for (; i < pushesEach || (freedDuringLoad === 0 && i < 60); i++) {
    const chunked = (n + i) % 2 === 0;
    const layers = [await ensureBlob(name, shared, chunked), await ensureBlob(name, randomBytes(4096 + n), chunked)];
    const config = await ensureBlob(name, Buffer.from(JSON.stringify({ os: 'linux', client: n, push: i })), chunked);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers }));
    const put = await oci.call(`/v2/${name}/manifests/c${n}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': mediaTypes.ociManifest } });
    assert.equal(put.status, 201, `client ${n} push ${i}: ${await put.text()}`);
    const get = await oci.call(`/v2/${name}/manifests/c${n}`);
    assert.equal(get.status, 200, `client ${n} push ${i} resolves`);
    assert.equal(sha256Of(Buffer.from(await get.arrayBuffer())), sha256Of(manifest));
  }
  return i;
}

void it(`${clients} clients push while GC runs in a loop; afterwards all resolves and nothing unreferenced is left`, async () => {
  const shared = randomBytes(8192);
  let pushing = true;
  const runs: GcReport[] = [];
  const loop = (async () => {
    while (pushing) {
      const run = await t.registry.collectGarbage({ graceMs });
      runs.push(run);
      freedDuringLoad += run.manifests;
    }
  })();
  const started = Date.now();
  let pushed: number[];
  try {
    pushed = await Promise.all(Array.from({ length: clients }, (_, n) => client(n, shared)));
  } finally {
    pushing = false;
    await loop;
  }
  const loadMs = Date.now() - started;
  const total = pushed.reduce((a, b) => a + b, 0);
  console.log(`load: ${total} pushes in ${loadMs} ms, ${runs.length} GC runs meanwhile freed ${freedDuringLoad} manifests and ${runs.reduce((s, r) => s + r.blobs, 0)} blobs (${runs.reduce((s, r) => s + r.spared, 0)} spared as in use)`);
  assert.ok(freedDuringLoad > 0, 'garbage was collected while pushes went on');
  assert.deepEqual(t.errors, []);

  // Quiet now: a run with no grace frees the rest, and leaves exactly the 20 tagged images.
  await t.registry.collectGarbage({ graceMs: 0 });
  const check = await checkStorage(t.storage, oci);
  assert.equal(check.manifests, clients);
  assert.deepEqual(check.unreferenced, []);
  assert.equal(check.blobs, clients * 2 + 5, 'each image: its config and own layer; each repository: the shared layer');
});
