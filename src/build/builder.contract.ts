// What every ImageBuilder must do, as node:test cases: build a Containerfile with build
// args while streaming its output, report a failing step as BUILD_FAILED, stop when
// aborted, push to a registry, returning the digest the registry stored, and prune a
// repository's local images. Each builder's test file runs it; the images it makes are
// checked and removed with podman, whose image store docker (through podman's
// Docker-compatible socket) shares here.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxImage, ensureBusyboxImage } from './base-image.ts';
import type { ImageBuilder } from './builder.ts';
import { localImages } from './local-images.ts';
import { runTool, runToolOrThrow } from './run-tool.ts';
import { startTestRegistry, type TestRegistry } from '../../test/registry/test-registry.ts';

/** Pids of `sleep <seconds>` processes, wherever they run. */
async function sleepers(seconds: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === `sleep\0${seconds}\0`) pids.push(Number(entry));
  }
  return pids;
}

interface BuilderContractOptions {
  /** The registry to push to (a daemon may have to be told it speaks plain HTTP); default a fresh one. */
  registry?: TestRegistry;
  /**
   * Whether aborting a build also ends the RUN step's processes. False only where the build
   * runs in a daemon that goes on after its client is gone; the test then checks that it
   * does (so this is revisited when the daemon changes) and ends them itself.
   */
  abortEndsRunSteps?: boolean;
}

export function runBuilderContract(builder: ImageBuilder, options: BuilderContractOptions = {}): void {
  describe(`ImageBuilder contract: ${builder.name}`, () => {
    const suffix = randomBytes(4).toString('hex');
    const images: string[] = [];
    let context = '';
    let registry: TestRegistry;

    before(async () => {
      await ensureBusyboxImage();
      context = await mkdtemp(join(tmpdir(), 'slipway-build-'));
      registry = options.registry ?? (await startTestRegistry());
    });
    after(async () => {
      // Also the names a builder gave besides the requested tag (the build cache's, in the same repository).
      const repositories = images.map((image) => image.slice(0, image.lastIndexOf(':') + 1));
      const names = (await localImages('buildah')).flatMap((i) => i.names).filter((n) => repositories.some((r) => n.startsWith(r)));
      const all = [...new Set([...images, ...names])];
      if (all.length > 0) await runTool('podman', ['rmi', '--force', '--ignore', ...all]);
      await rm(context, { recursive: true, force: true });
      if (!options.registry) await registry.close();
    });

    test('builds a Containerfile with build args, streaming the output', async () => {
      const tag = `localhost/slipway-test/${builder.name}-${suffix}:1`;
      images.push(tag);
      const containerfile = join(context, 'Containerfile');
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
      const containerfile = join(context, 'Broken');
      await writeFile(containerfile, `FROM ${busyboxImage}\nRUN echo oops-${suffix} && exit 7\n`);
      await assert.rejects(
        builder.build({ contextDir: context, containerfile, tag: `localhost/slipway-test/broken-${suffix}:1`, buildArgs: {}, onOutput: () => {} }),
        (err: Error & { code?: string }) => err.code === 'BUILD_FAILED' && err.message.includes(`oops-${suffix}`),
      );
    });

    test('aborting stops the build', async () => {
      const containerfile = join(context, 'Slow');
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
      if (options.abortEndsRunSteps ?? true) {
        assert.deepEqual(await sleepers(seconds), [], 'the RUN step\'s processes are gone');
      } else {
        let left = await sleepers(seconds);
        // The daemon's step may show in /proc a moment after its output reached the client.
        for (let i = 0; left.length === 0 && i < 100; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          left = await sleepers(seconds);
        }
        assert.notDeepEqual(left, [], 'the daemon went on with the RUN step (if it stopped, drop abortEndsRunSteps: false)');
        for (const pid of left) process.kill(pid, 'SIGKILL');
      }
    });

    test('pushes to a registry and returns the digest the registry stored', async () => {
      const tag = `localhost/slipway-test/${builder.name}-push-${suffix}:1`;
      images.push(tag);
      const containerfile = join(context, 'Pushed');
      await writeFile(containerfile, `FROM ${busyboxImage}\nRUN echo ${suffix} > /pushed\n`);
      await builder.build({ contextDir: context, containerfile, tag, buildArgs: {}, onOutput: () => {} });
      // docker logs in over plain HTTP only to a registry named localhost:PORT.
      const host = registry.host.replace('127.0.0.1', 'localhost');
      const destination = `${host}/contract/${builder.name}:${suffix}`;
      images.push(destination);
      const { digest } = await builder.push({ tag, destination, username: '', password: '', insecure: true, onOutput: () => {} });
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      const stored = await fetch(`${registry.baseUrl}/v2/contract/${builder.name}/manifests/${digest}`, { method: 'HEAD' });
      assert.equal(stored.status, 200);
      assert.equal(stored.headers.get('docker-content-digest'), digest);
    });

    test('prune removes a repository\'s images but the kept tag, and nothing of other repositories', async () => {
      const repository = `localhost/slipway-test/prune-${builder.name}-${suffix}`;
      images.push(`${repository}:a`, `${repository}:b`);
      for (const name of ['a', 'b']) {
        const containerfile = join(context, `Prune-${name}`);
        await writeFile(containerfile, `FROM ${busyboxImage}\nRUN echo ${name}-${suffix} > /pruned\n`);
        await builder.build({ contextDir: context, containerfile, tag: `${repository}:${name}`, buildArgs: {}, onOutput: () => {} });
      }
      const removed = await builder.prune({ repository, keepTags: ['a'], keep: 0, onOutput: () => {} });
      assert.ok(removed.includes(`${repository}:b`), `removed ${removed.join(', ')}`);
      assert.ok(removed.every((name) => name.startsWith(`${repository}:`)));
      assert.equal((await runTool('podman', ['image', 'exists', `${repository}:a`])).exitCode, 0);
      assert.equal((await runTool('podman', ['image', 'exists', `${repository}:b`])).exitCode, 1);
      assert.equal((await runTool('podman', ['image', 'exists', busyboxImage])).exitCode, 0);
      assert.deepEqual(await builder.prune({ repository, keepTags: ['a'], keep: 0, onOutput: () => {} }), []);
    });
  });
}
