// Test helper: pushes small images over the distribution API (monolithic or chunked blob
// uploads, image manifests, indexes, referrers), and checks a registry's storage the way a
// garbage collection must leave it: every tagged manifest resolves, every blob it names
// serves bytes that hash to its digest, and no blob is stored that nothing names.
import assert from 'node:assert/strict';
import { sha256Of } from '../../src/registry/digest.ts';
import { blobKey, manifestKey } from '../../src/registry/layout.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';
import { manifestRefs } from '../../src/registry/manifest-refs.ts';
import type { StorageDriver } from '../../src/storage/driver.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface OciClient {
  call(path: string, init?: RequestInit): Promise<Response>;
  /** Monolithic POST ?digest=, or (chunked) POST, PATCH, PUT. */
  pushBlob(name: string, bytes: Buffer, options?: { chunked?: boolean }): Promise<Descriptor>;
  /** Config + layers, then the manifest under `ref` (a tag, or its digest when undefined). */
  pushImage(name: string, ref: string | undefined, layers: Buffer[], options?: { subject?: Descriptor; chunked?: boolean }): Promise<Descriptor>;
  pushIndex(name: string, ref: string | undefined, manifests: Descriptor[]): Promise<Descriptor>;
}

export function ociClient(baseUrl: string, headers: Record<string, string> = {}): OciClient {
  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(new URL(path, baseUrl), { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });

  async function expect(res: Response, status: number, what: string): Promise<Response> {
    if (res.status !== status) assert.fail(`${what}: ${res.status} ${await res.text()}`);
    return res;
  }

  async function pushBlob(name: string, bytes: Buffer, options: { chunked?: boolean } = {}): Promise<Descriptor> {
    const digest = sha256Of(bytes);
    const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: bytes.length };
    if (!options.chunked) {
      await expect(await call(`/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes }), 201, `push blob ${digest}`);
      return desc;
    }
    const start = await expect(await call(`/v2/${name}/blobs/uploads/`, { method: 'POST' }), 202, 'start upload');
    const location = start.headers.get('location')!;
    const half = Math.floor(bytes.length / 2);
    await start.arrayBuffer();
    const patch = await call(location, { method: 'PATCH', body: bytes.subarray(0, half), headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${Math.max(half - 1, 0)}` } });
    await expect(patch, 202, 'patch');
    await patch.arrayBuffer();
    const sep = location.includes('?') ? '&' : '?';
    await expect(await call(`${location}${sep}digest=${digest}`, { method: 'PUT', body: bytes.subarray(half) }), 201, 'close upload');
    return desc;
  }

  async function putManifest(name: string, ref: string | undefined, body: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256Of(body);
    const res = await call(`/v2/${name}/manifests/${ref ?? digest}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
    await expect(res, 201, `put manifest ${name}:${ref ?? digest}`);
    return { mediaType, digest, size: body.length };
  }

  return {
    call,
    pushBlob,
    async pushImage(name, ref, layers, options = {}) {
      const config = await pushBlob(name, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', layers: layers.length, seed: Math.random() })), options);
      const pushed = [];
      for (const l of layers) pushed.push(await pushBlob(name, l, options));
      const manifest = {
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
        layers: pushed,
        ...(options.subject && { subject: options.subject }),
      };
      return putManifest(name, ref, Buffer.from(JSON.stringify(manifest)), mediaTypes.ociManifest);
    },
    async pushIndex(name, ref, manifests) {
      const index = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests };
      return putManifest(name, ref, Buffer.from(JSON.stringify(index)), mediaTypes.ociIndex);
    },
  };
}

export interface StorageCheck {
  /** Tagged manifests that resolved, with everything they name. */
  manifests: number;
  /** Blobs served and verified. */
  blobs: number;
  /** Stored blobs that no stored manifest names (manifest bytes included). */
  unreferenced: string[];
}

/**
 * Fails unless every tag resolves over HTTP, every stored manifest's blobs and entries are
 * there and every blob a manifest names serves bytes matching its digest.
 */
export async function checkStorage(storage: StorageDriver, client: OciClient): Promise<StorageCheck> {
  const keys = await storage.list('repositories/');
  const named = new Set<string>();
  let manifests = 0;
  const verified = new Set<string>();
  for (const key of keys) {
    const tag = /^repositories\/(.+?)\/_tags\/(.+)$/.exec(key);
    if (tag) {
      const res = await client.call(`/v2/${tag[1]}/manifests/${tag[2]}`, { headers: { Accept: `${mediaTypes.ociManifest}, ${mediaTypes.ociIndex}` } });
      assert.equal(res.status, 200, `tag ${tag[1]}:${tag[2]} resolves`);
      await res.arrayBuffer();
      continue;
    }
    const m = /^repositories\/(.+?)\/_manifests\/sha256\/([a-f0-9]{64})$/.exec(key);
    if (!m) continue;
    const [, name, hex] = m as unknown as [string, string, string];
    const digest = `sha256:${hex}`;
    assert.ok(await storage.stat(manifestKey(name, digest)));
    const bytes = await storage.get(blobKey(digest));
    assert.ok(bytes, `manifest ${name}@${digest} has its bytes`);
    assert.equal(sha256Of(bytes), digest);
    manifests++;
    named.add(digest);
    const refs = manifestRefs(bytes);
    for (const child of refs.manifests) {
      assert.ok(await storage.stat(manifestKey(name, child)), `index ${name}@${digest} entry ${child} is stored`);
    }
    for (const blob of refs.blobs) {
      named.add(blob);
      if (verified.has(`${name}@${blob}`)) continue;
      const res = await client.call(`/v2/${name}/blobs/${blob}`);
      assert.equal(res.status, 200, `blob ${name}@${blob} of ${digest} is served`);
      assert.equal(sha256Of(Buffer.from(await res.arrayBuffer())), blob, `blob ${blob} verifies`);
      verified.add(`${name}@${blob}`);
    }
  }
  const stored = (await storage.list('blobs/')).map((k) => k.slice('blobs/'.length).replace('/', ':'));
  return { manifests, blobs: verified.size, unreferenced: stored.filter((d) => !named.has(d)) };
}
