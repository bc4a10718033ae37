// Issue 14's build defects, with real buildah: a cached result must never outlive a changed
// build arg, one commit must build to one digest on a clean and on a warm cache, and the
// images a build leaves on the host stay bounded after pushes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestRegistry, type TestRegistry } from '../../test/registry/test-registry.ts';
import { busyboxImage, ensureBusyboxImage } from './base-image.ts';
import type { BuildRequest } from './builder.ts';
import { ContainersBuilder } from './containers-builder.ts';
import { localImages } from './local-images.ts';
import { runTool, runToolOrThrow } from './run-tool.ts';

const suffix = randomBytes(4).toString('hex');
const repository = `localhost/slipway-test/repro-${suffix}`;
const builder = new ContainersBuilder('buildah');
let context = '';
let registry: TestRegistry;

async function namesInRepository(): Promise<string[]> {
  return (await localImages('buildah')).flatMap((i) => i.names).filter((n) => n.startsWith(`${repository}:`)).sort();
}

async function removeRepository(): Promise<void> {
  const names = await namesInRepository();
  if (names.length > 0) await runToolOrThrow('podman', ['rmi', '--force', ...names]);
}

async function env(tag: string): Promise<string[]> {
  return JSON.parse(await runToolOrThrow('podman', ['image', 'inspect', '--format', '{{json .Config.Env}}', tag])) as string[];
}

function request(file: string, tag: string, fields: Partial<BuildRequest> = {}): BuildRequest {
  return { contextDir: context, containerfile: join(context, file), tag: `${repository}:${tag}`, buildArgs: {}, onOutput: () => {}, ...fields };
}

async function buildAndPush(file: string, tag: string, fields: Partial<BuildRequest> = {}): Promise<{ digest: string; output: string }> {
  let output = '';
  await builder.build(request(file, tag, { ...fields, onOutput: (t) => (output += t) }));
  const { digest } = await builder.push({
    tag: `${repository}:${tag}`, destination: `${registry.host}/repro/app:${tag}`, username: '', password: '', insecure: true, onOutput: () => {},
  });
  return { digest, output };
}

before(async () => {
  await ensureBusyboxImage();
  registry = await startTestRegistry();
  context = await mkdtemp(join(tmpdir(), 'slipway-repro-'));
  // The case from issue 14: the build arg reaches the image only through ENV.
  await writeFile(join(context, 'Commit'), `FROM ${busyboxImage}\nARG COMMIT\nENV COMMIT=$COMMIT\nCMD ["sh", "-c", "echo $COMMIT"]\n`);
  await writeFile(join(context, 'Default'), `FROM ${busyboxImage}\nARG COMMIT=one\nENV COMMIT=$COMMIT\n`);
  await writeFile(join(context, 'App'), [
    `FROM ${busyboxImage}`, 'ARG COMMIT', 'ARG SOURCE_DATE_EPOCH', 'COPY app /app',
    'RUN echo "$COMMIT" > /app/commit && mkdir -p /var/app && echo made > /var/app/state', 'ENV COMMIT=$COMMIT', 'CMD ["cat", "/app/commit"]', '',
  ].join('\n'));
  await mkdir(join(context, 'app'));
  await writeFile(join(context, 'app/index.html'), 'hello\n');
});

after(async () => {
  await removeRepository();
  await registry.close();
  await rm(context, { recursive: true, force: true });
});

describe('a build never reuses a result that depends on a changed build arg', () => {
  test('buildah --layers itself still reuses ENV from another build arg (if this fails, buildah fixed #5501: revisit containers-builder.ts)', async () => {
    const file = join(context, 'Commit');
    const existing = new Set((await localImages('buildah')).map((i) => i.id));
    for (const commit of ['aaa', 'bbb']) {
      await runToolOrThrow('buildah', ['bud', '--layers', '--build-arg', `COMMIT=${commit}`, '-f', file, '-t', `${repository}:legacy-${commit}`, context]);
    }
    const legacyEnv = await env(`${repository}:legacy-bbb`);
    // --layers leaves one unnamed image per step as its cache; only those this test made go.
    await runToolOrThrow('podman', ['rmi', `${repository}:legacy-aaa`, `${repository}:legacy-bbb`]);
    const made = (await localImages('buildah')).filter((i) => !existing.has(i.id) && i.names.length === 0).map((i) => i.id);
    if (made.length > 0) await runToolOrThrow('podman', ['rmi', ...made]);
    assert.ok(legacyEnv.includes('COMMIT=aaa'), 'the defect as issue 14 reports it');
  });

  test('two commits built with different COMMIT each carry their own', async () => {
    await builder.build(request('Commit', 'c1', { buildArgs: { COMMIT: '55e8882' } }));
    await builder.build(request('Commit', 'c2', { buildArgs: { COMMIT: '6cd5d39' } }));
    assert.ok((await env(`${repository}:c1`)).includes('COMMIT=55e8882'));
    assert.ok((await env(`${repository}:c2`)).includes('COMMIT=6cd5d39'));
    assert.equal(await runToolOrThrow('podman', ['run', '--rm', `${repository}:c2`]), '6cd5d39\n');
    // And the first value again is the first image again, from the cache.
    let output = '';
    await builder.build(request('Commit', 'c3', { buildArgs: { COMMIT: '55e8882' }, onOutput: (t) => (output += t) }));
    assert.match(output, /Build cache hit/);
    assert.ok((await env(`${repository}:c3`)).includes('COMMIT=55e8882'));
  });

  test('a changed ARG default in the Containerfile is a changed input too', async () => {
    await builder.build(request('Default', 'd1'));
    await writeFile(join(context, 'Default'), `FROM ${busyboxImage}\nARG COMMIT=two\nENV COMMIT=$COMMIT\n`);
    await builder.build(request('Default', 'd2'));
    assert.ok((await env(`${repository}:d1`)).includes('COMMIT=one'));
    assert.ok((await env(`${repository}:d2`)).includes('COMMIT=two'));
  });
});

describe('one commit builds to one digest', () => {
  const commit = { buildArgs: { COMMIT: 'f00d', SOURCE_DATE_EPOCH: '1700000000' }, timestamp: 1_700_000_000 };

  test('on a clean cache twice and on a warm cache, the same digest; another arg or commit time, another digest', async () => {
    await removeRepository();
    const clean = await buildAndPush('App', 'r1', commit);
    assert.doesNotMatch(clean.output, /Build cache hit/);
    // Clean again: every image of the repository gone, so nothing can be reused.
    await removeRepository();
    assert.deepEqual(await namesInRepository(), []);
    // A file's mtime changes with a new checkout; the commit time stamps it the same.
    await writeFile(join(context, 'app/index.html'), 'hello\n');
    const again = await buildAndPush('App', 'r2', commit);
    assert.doesNotMatch(again.output, /Build cache hit/);
    assert.equal(again.digest, clean.digest, 'a clean rebuild gives the same digest');
    const warm = await buildAndPush('App', 'r3', commit);
    assert.match(warm.output, /Build cache hit/);
    assert.equal(warm.digest, clean.digest, 'a warm rebuild gives the same digest');

    const otherArg = await buildAndPush('App', 'r4', { ...commit, buildArgs: { ...commit.buildArgs, COMMIT: 'beef' } });
    assert.notEqual(otherArg.digest, clean.digest);
    assert.equal(await runToolOrThrow('podman', ['run', '--rm', `${repository}:r4`]), 'beef\n');
    const otherTime = await buildAndPush('App', 'r5', { ...commit, timestamp: 1_700_000_100 });
    assert.notEqual(otherTime.digest, clean.digest);
    const created = await runToolOrThrow('podman', ['image', 'inspect', '--format', '{{.Created}}', `${repository}:r3`]);
    assert.match(created, /^2023-11-14 22:13:20 \+0000 UTC/, 'the image is stamped with the commit time');
  });

  test('a changed file in the context is a new build, not a cache hit', async () => {
    await writeFile(join(context, 'app/index.html'), 'changed\n');
    const changed = await buildAndPush('App', 'r6', commit);
    assert.doesNotMatch(changed.output, /Build cache hit/);
    assert.equal(await runToolOrThrow('podman', ['run', '--rm', `${repository}:r6`, 'cat', '/app/index.html']), 'changed\n');
    await writeFile(join(context, 'app/index.html'), 'hello\n');
  });
});

describe('build images are pruned after a push', () => {
  test('after builds and pushes of three commits, only the pushed one and the newest other remain', async () => {
    await removeRepository();
    for (const [n, time] of [[1, 1_700_000_001], [2, 1_700_000_002], [3, 1_700_000_003]] as const) {
      await buildAndPush('App', `p${n}`, { buildArgs: { COMMIT: `p${n}` }, timestamp: time });
    }
    // p1 stands for the one just pushed (a rebuild of an older commit): kept, although oldest.
    const before = await namesInRepository();
    assert.equal(before.filter((n) => !n.includes(':build-')).length, 3);
    let output = '';
    const removed = await builder.prune({ repository, keepTags: ['p1'], keep: 1, onOutput: (t) => (output += t) });
    const left = await namesInRepository();
    assert.deepEqual(left.filter((n) => !n.includes(':build-')), [`${repository}:p1`, `${repository}:p3`]);
    // Each kept image keeps its cache entry; the removed one lost both its names.
    assert.equal(left.length, 4);
    assert.deepEqual(removed.sort(), before.filter((n) => !left.includes(n)));
    assert.equal((await runTool('podman', ['image', 'exists', `${repository}:p2`])).exitCode, 1);
    // Pruning again removes nothing.
    assert.deepEqual(await builder.prune({ repository, keepTags: ['p1'], keep: 1, onOutput: () => {} }), []);
    // A tag another build has yet to push is kept whatever its age.
    assert.deepEqual((await builder.prune({ repository, keepTags: ['p1', 'p3'], keep: 0, onOutput: () => {} })), []);
    assert.match(output, /untagged|[0-9a-f]{64}/i);
  });
});
