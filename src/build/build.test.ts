import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { busyboxImage, ensureBusyboxImage } from './base-image.ts';
import { BuildahBuilder } from './buildah-builder.ts';
import type { ImageBuilder } from './builder.ts';
import { builders } from './builders.ts';
import { detectBuilder } from './detect.ts';
import { PodmanBuilder } from './podman-builder.ts';
import { runTool, runToolOrThrow } from './run-tool.ts';

const suffix = randomBytes(4).toString('hex');

/** Pids of `sleep <seconds>` processes, wherever they run. */
async function sleepers(seconds: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === `sleep\0${seconds}\0`) pids.push(Number(entry));
  }
  return pids;
}
const images: string[] = [];
let context = '';

before(async () => {
  await ensureBusyboxImage();
  context = await mkdtemp(join(tmpdir(), 'slipway-build-'));
});
after(async () => {
  if (images.length > 0) await runTool('podman', ['rmi', '--force', ...images]);
  await rm(context, { recursive: true, force: true });
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

for (const builder of [new BuildahBuilder(), new PodmanBuilder()] satisfies ImageBuilder[]) {
  describe(`${builder.name} builder`, () => {
    test('builds a Containerfile with build args, streaming the output', async () => {
      const tag = `localhost/slipway-test/${builder.name}-${suffix}:1`;
      images.push(tag);
      const containerfile = join(context, `Containerfile.${builder.name}`);
      await writeFile(containerfile, [
        `FROM ${busyboxImage}`,
        'ARG GREETING',
        'ARG PATH_LIKE',
        'RUN echo "$GREETING" > /greeting',
        'RUN echo "$PATH_LIKE" > /path-like && echo built',
        'CMD ["cat", "/greeting"]',
        '',
      ].join('\n'));
      let output = '';
      const greeting = `hello $USER "from" ${builder.name}`;
      await builder.build({
        contextDir: context, containerfile, tag, onOutput: (text) => (output += text),
        buildArgs: { GREETING: greeting, PATH_LIKE: '/x:/y' },
      });
      assert.match(output, /STEP 5\/6/);
      assert.match(output, /^built$/m);
      assert.equal(await runToolOrThrow('podman', ['run', '--rm', tag]), `${greeting}\n`);
      assert.equal(await runToolOrThrow('podman', ['run', '--rm', tag, 'cat', '/path-like']), '/x:/y\n');
    });

    test('a failing RUN step is a BUILD_FAILED error with the output', async () => {
      const containerfile = join(context, `Broken.${builder.name}`);
      await writeFile(containerfile, `FROM ${busyboxImage}\nRUN echo oops-${suffix} && exit 7\n`);
      await assert.rejects(
        builder.build({ contextDir: context, containerfile, tag: `localhost/slipway-test/broken-${suffix}:1`, buildArgs: {}, onOutput: () => {} }),
        (err: Error & { code?: string }) => err.code === 'BUILD_FAILED' && err.message.includes(`oops-${suffix}`),
      );
    });

    test('aborting stops the build', async () => {
      const containerfile = join(context, `Slow.${builder.name}`);
      // The RUN line as echoed says `$X`; only the running step prints `slow-started`.
      const seconds = 1_000_000 + randomInt(8_000_000);
      await writeFile(containerfile, `FROM ${busyboxImage}\nRUN X=slow; echo "$X-started-${suffix}" && sleep ${seconds} & sleep ${seconds}\n`);
      const controller = new AbortController();
      const started = Date.now();
      await assert.rejects(builder.build({
        contextDir: context, containerfile, tag: `localhost/slipway-test/slow-${suffix}:1`, buildArgs: {},
        signal: controller.signal,
        onOutput: (text) => { if (text.includes(`slow-started-${suffix}`)) controller.abort(); },
      }), { name: 'AbortError' });
      assert.ok(Date.now() - started < 30_000);
      assert.deepEqual(await sleepers(seconds), [], 'the RUN step\'s processes are gone');
    });
  });
}

describe('builder selection', () => {
  test('prefers buildah, then podman, then docker', async () => {
    assert.equal((await detectBuilder()).name, 'buildah');
    assert.equal((await detectBuilder('podman')).name, 'podman');
  });

  test('an unknown or missing builder is a configuration error', async () => {
    await assert.rejects(detectBuilder('kaniko'), { code: 'CONFIG_INVALID' });
  });

  test('the registry lists exactly the *-builder.ts files', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = (await readdir(dir)).filter((f) => f.endsWith('-builder.ts')).map((f) => f.replace('-builder.ts', ''));
    assert.deepEqual([...builders.keys()].sort(), files.sort());
    for (const [name, create] of builders) assert.equal(create().name, name);
  });
});
