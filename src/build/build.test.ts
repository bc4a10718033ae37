import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureBusyboxImage } from './base-image.ts';
import { builders } from './builders.ts';
import { detectBuilder } from './detect.ts';
import { runTool, runToolOrThrow } from './run-tool.ts';

const suffix = randomBytes(4).toString('hex');

const images: string[] = [];

after(async () => {
  if (images.length > 0) await runTool('podman', ['rmi', '--force', ...images]);
});

describe('ensureBusyboxImage', () => {
  test('imports an image with every applet, /tmp and /usr/bin, once', async () => {
    const name = `localhost/slipway-test/busybox-${suffix}:latest`;
    images.push(name);
    await ensureBusyboxImage(name);
    const output = await runToolOrThrow('podman', [
      'run', '--rm', name, 'sh', '-c', 'test -d /tmp && test -w /tmp && /usr/bin/env wget --help 2>&1 | head -1 && readlink /bin/httpd && id -un',
    ]);
    assert.match(output, /BusyBox/);
    assert.match(output, /^busybox$/m);
    assert.match(output, /^root$/m);
    let second = '';
    await ensureBusyboxImage(name, (text) => (second += text));
    assert.equal(second, '', 'the second call finds the image and imports nothing');
  });
});

describe('builder selection', () => {
  test('prefers buildah, then podman, then docker', async () => {
    assert.equal((await detectBuilder()).name, 'buildah');
    assert.equal((await detectBuilder('podman')).name, 'podman');
  });

  test('an unknown or missing builder is a configuration error', async () => {
    await assert.rejects(detectBuilder('kaniko'), { code: 'CONFIG_INVALID' });
  });

  test('every registered builder, and only those, runs the builder contract (<name>-builder.test.ts)', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = (await readdir(dir)).filter((f) => f.endsWith('-builder.test.ts')).map((f) => f.replace('-builder.test.ts', ''));
    assert.deepEqual([...builders.keys()].sort(), files.sort());
    for (const [name, create] of builders) assert.equal(create().name, name);
  });
});
