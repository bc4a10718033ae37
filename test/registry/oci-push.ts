// Test helper: pushing blobs and manifests to a registry over plain HTTP, as a client does.
import assert from 'node:assert/strict';
import { digestOf } from '../../src/registry/digest.ts';
import type { DigestAlgorithm } from '../../src/registry/digest.ts';
import { mediaTypes } from '../../src/registry/manifest.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export class OciPusher {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(baseUrl: string, token?: string) {
    this.#baseUrl = baseUrl;
    this.#headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  call(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(new URL(path, this.#baseUrl), { ...init, headers: { ...this.#headers, ...(init.headers as Record<string, string>) } });
  }

  /** A monolithic blob push (POST ?digest=). */
  async blob(name: string, content: string | Buffer, mediaType = 'application/octet-stream', algorithm: DigestAlgorithm = 'sha256'): Promise<Descriptor> {
    const bytes = Buffer.from(content);
    const digest = digestOf(bytes, algorithm);
    const res = await this.call(`/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
    assert.equal(res.status, 201, await res.text());
    return { mediaType, digest, size: bytes.length };
  }

  /** An OCI image manifest over fresh config and layer blobs; `extra` adds fields (subject, artifactType, annotations). */
  async imageManifest(name: string, seed: string, extra: Record<string, unknown> = {}, configType = 'application/vnd.oci.image.config.v1+json'): Promise<Buffer> {
    const config = await this.blob(name, `{"seed":"${seed}"}`, configType);
    const layer = await this.blob(name, `layer ${seed}`, 'application/vnd.oci.image.layer.v1.tar');
    return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config, layers: [layer], ...extra }));
  }

  putManifest(name: string, ref: string, body: Buffer, type: string = mediaTypes.ociManifest): Promise<Response> {
    return this.call(`/v2/${name}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': type } });
  }

  /** Pushes `body` by tag (or by its sha256 digest) and returns its descriptor. */
  async manifest(name: string, body: Buffer, tag?: string, type: string = mediaTypes.ociManifest): Promise<Descriptor> {
    const digest = digestOf(body);
    const res = await this.putManifest(name, tag ?? digest, body, type);
    assert.equal(res.status, 201, await res.text());
    return { mediaType: type, digest, size: body.length };
  }
}
