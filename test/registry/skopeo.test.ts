// End to end with real clients: skopeo pushes a busybox image from containers-storage to the
// registry, inspects it, copies it back out and across repositories; podman pulls it by digest.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { containerToolEnv } from '../../src/core/tool-env.ts';
import type { TestRegistry } from './test-registry.ts';
import { startTestRegistry } from './test-registry.ts';

const run = promisify(execFile);
const image = 'localhost/slipway-test/registry-busybox:latest';

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env: containerToolEnv(), timeout: 180_000, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/** A busybox image made offline from the host's /bin/busybox (idempotent). */
async function ensureBusybox(): Promise<void> {
  const exists = await run('podman', ['image', 'exists', image], { env: containerToolEnv() }).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const dir = await mkdtemp(join(tmpdir(), 'slipway-busybox-'));
  try {
    await mkdir(join(dir, 'bin'));
    await copyFile('/bin/busybox', join(dir, 'bin/busybox'));
    for (const applet of ['sh', 'cat', 'echo', 'ls', 'wget', 'httpd']) await symlink('busybox', join(dir, 'bin', applet));
    await tool('sh', ['-c', `tar -C '${dir}' -c . | podman import - ${image}`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let t: TestRegistry;
let out: string;
before(async () => {
  await ensureBusybox();
  t = await startTestRegistry();
  out = await mkdtemp(join(tmpdir(), 'slipway-skopeo-out-'));
});
after(async () => {
  await t?.close();
  await rm(out, { recursive: true, force: true });
});

void describe('registry with skopeo and podman', () => {
  let digest = '';

  void it('skopeo copy pushes from containers-storage (OCI and Docker schema 2)', async () => {
    await tool('skopeo', ['copy', '--dest-tls-verify=false', `containers-storage:${image}`, `docker://${t.host}/test/busybox:v1`]);
    await tool('skopeo', ['copy', '--dest-tls-verify=false', '--format', 'v2s2', `containers-storage:${image}`, `docker://${t.host}/test/busybox:v2s2`]);
    digest = (await t.registry.resolveTag('test/busybox', 'v1')) ?? '';
    assert.match(digest, /^sha256:[a-f0-9]{64}$/);
    assert.ok((await t.registry.resolveTag('test/busybox', 'v2s2')) !== undefined);
  });

  void it('skopeo inspect reports the pushed digest and tags', async () => {
    const info = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', `docker://${t.host}/test/busybox:v1`])) as {
      Digest: string;
      RepoTags: string[];
      Layers: string[];
    };
    assert.equal(info.Digest, digest);
    assert.deepEqual([...info.RepoTags].sort(), ['v1', 'v2s2']);
    assert.equal(info.Layers.length, 1);
    const raw = JSON.parse(await tool('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${t.host}/test/busybox:v2s2`])) as { mediaType: string };
    assert.equal(raw.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  void it('skopeo copies the image back out to an OCI layout and to another repository', async () => {
    await tool('skopeo', ['copy', '--src-tls-verify=false', `docker://${t.host}/test/busybox:v1`, `oci:${out}/layout:v1`]);
    const index = JSON.parse(await readFile(join(out, 'layout/index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(index.manifests[0]?.digest, digest);
    assert.ok((await readdir(join(out, 'layout/blobs/sha256'))).length >= 3, 'manifest, config and layer');

    // Across repositories skopeo tries a blob mount first (from=test/busybox).
    await tool('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${t.host}/test/busybox:v1`, `docker://${t.host}/other/busybox:copied`]);
    assert.equal(await t.registry.resolveTag('other/busybox', 'copied'), digest);
  });

  void it('podman pulls the image by digest', async () => {
    // A storage of its own: every blob is really downloaded, and the host's images are untouched.
    const storage = ['--root', join(out, 'storage'), '--runroot', join(out, 'run'), '--storage-driver', 'vfs'];
    const ref = `${t.host}/test/busybox@${digest}`;
    await tool('podman', [...storage, 'pull', '--tls-verify=false', ref]);
    const inspected = JSON.parse(await tool('podman', [...storage, 'image', 'inspect', ref])) as Array<{ RepoDigests: string[] }>;
    assert.ok(inspected[0]?.RepoDigests.includes(ref), `RepoDigests has ${ref}`);
  });

  void it('answered no request with an unexpected error', () => {
    assert.deepEqual(t.errors, []);
  });
});
