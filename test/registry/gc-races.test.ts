// The races online GC must win, made deterministic: storage that stops at a chosen write or
// delete until the test lets it go. (1) GC runs while a manifest push is between its check
// and its write: what the push checked is spared. (2) A manifest push arrives while GC is
// deleting a blob link it names: the push waits, then is refused as for any missing blob
// (MANIFEST_BLOB_UNKNOWN), instead of storing a manifest whose blob is gone.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, it } from 'node:test';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import { createMemoryDriver } from '../../src/storage/memory/memory-driver.ts';
import type { StorageDriver } from '../../src/storage/driver.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';
import { checkStorage, ociClient, type Descriptor, type OciClient } from './oci-client.ts';

/** A driver whose `put`/`delete` of a key matching `stopAt` waits for `go()`; `reached` resolves when one does. */
function stoppable(inner: StorageDriver) {
  let stop: { op: 'put' | 'delete'; key: RegExp } | undefined;
  let go!: () => void;
  let reached!: () => void;
  let gate = Promise.resolve();
  let arrived = Promise.resolve();
  const pause = async (op: 'put' | 'delete', key: string): Promise<void> => {
    if (stop?.op !== op || !stop.key.test(key)) return;
    stop = undefined;
    reached();
    await gate;
  };
  const driver: StorageDriver = {
    ...inner,
    put: async (key, data) => (await pause('put', key), inner.put(key, data)),
    delete: async (key) => (await pause('delete', key), inner.delete(key)),
  };
  return {
    driver,
    stopAt(op: 'put' | 'delete', key: RegExp) {
      stop = { op, key };
      gate = new Promise((resolve) => (go = resolve));
      arrived = new Promise((resolve) => (reached = resolve));
    },
    reached: () => arrived,
    go: () => go(),
  };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(): Promise<{ storage: ReturnType<typeof stoppable>; registry: Registry; oci: OciClient; errors: string[] }> {
  const storage = stoppable(createMemoryDriver());
  const errors: string[] = [];
  const registry = createRegistry({ storage: storage.driver, log: (m) => errors.push(m) });
  server = createServer((req, res) => void registry.handle(req, res, new URL(req.url ?? '/', 'http://registry.invalid')));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { storage, registry, oci: ociClient(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`), errors };
}

const manifestOf = (config: Descriptor, layer: Descriptor): Buffer =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [layer] }));
const put = (oci: OciClient, body: Buffer): Promise<Response> => oci.call('/v2/r/app/manifests/v1', { method: 'PUT', body, headers: { 'Content-Type': mediaTypes.ociManifest } });

it('GC while a manifest push is between its check and its write spares what the push checked', async () => {
  const { storage, registry, oci, errors } = await start();
  const config = await oci.pushBlob('r/app', Buffer.from('{"os":"linux"}'));
  const layer = await oci.pushBlob('r/app', randomBytes(1000));
  storage.stopAt('put', /\/_manifests\//); // checked and its bytes written; the revision not yet
  const pushing = put(oci, manifestOf(config, layer));
  await storage.reached();
  const during = await registry.collectGarbage({ graceMs: 0 });
  assert.equal(during.blobs, 0, 'nothing the push named went');
  assert.ok(during.spared >= 2, `the config and layer were spared (${during.spared})`);
  storage.go();
  assert.equal((await pushing).status, 201);
  const after = await registry.collectGarbage({ graceMs: 0 });
  assert.equal(after.blobs, 0);
  const check = await checkStorage(storage.driver, oci);
  assert.deepEqual([check.manifests, check.blobs, check.unreferenced], [1, 2, []]);
  assert.deepEqual(errors, []);
});

it('a manifest push naming a blob whose link GC is deleting waits, then is refused; pushed again, it is whole', async () => {
  const { storage, registry, oci, errors } = await start();
  const configBytes = Buffer.from('{"os":"linux"}');
  const layerBytes = randomBytes(1000);
  const config = await oci.pushBlob('r/app', configBytes);
  const layer = await oci.pushBlob('r/app', layerBytes);
  storage.stopAt('delete', new RegExp(`/_blobs/sha256/${layer.digest.slice(7)}$`));
  const collecting = registry.collectGarbage({ graceMs: 0 });
  await storage.reached();
  const pushing = put(oci, manifestOf(config, layer));
  const early = await Promise.race([pushing.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 200, 'waiting'))]);
  assert.equal(early, 'waiting', 'the push waits for the deletion under way');
  storage.go();
  await collecting;
  const refused = await pushing;
  assert.equal(refused.status, 404);
  assert.equal(((await refused.json()) as { errors: { code: string }[] }).errors[0]?.code, 'MANIFEST_BLOB_UNKNOWN');
  // What a client does next: push the blobs again, then the manifest.
  await oci.pushBlob('r/app', configBytes);
  await oci.pushBlob('r/app', layerBytes);
  assert.equal((await put(oci, manifestOf(config, layer))).status, 201);
  const check = await checkStorage(storage.driver, oci);
  assert.deepEqual([check.manifests, check.blobs, check.unreferenced], [1, 2, []]);
  assert.deepEqual(errors, []);
});
