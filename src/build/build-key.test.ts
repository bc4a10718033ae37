import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { baseReferences, buildKey } from './build-key.ts';
import type { BuildRequest } from './builder.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-build-key-'));
after(() => rm(dir, { recursive: true, force: true }));

test('FROM references with ARGs declared before the first FROM, overridden by build args', () => {
  const file = 'ARG BASE=busybox\nARG TAG="1"\nFROM ${BASE}:$TAG AS build\nARG LATER=x\nFROM --platform=linux/amd64 build\nFROM $LATER\n';
  assert.deepEqual(baseReferences(file, {}), ['busybox:1', 'build', '']);
  assert.deepEqual(baseReferences(file, { TAG: '2' }), ['busybox:2', 'build', '']);
});

test('the key changes with every input the build reads, and only with those', async () => {
  await writeFile(join(dir, 'Containerfile'), 'FROM base\nARG COMMIT\nENV COMMIT=$COMMIT\n');
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/a'), 'a');
  await mkdir(join(dir, '.git'));
  let baseId = 'id1';
  const request = (fields: Partial<BuildRequest> = {}): BuildRequest => ({
    contextDir: dir, containerfile: join(dir, 'Containerfile'), tag: 'x:1', buildArgs: { COMMIT: 'a' }, timestamp: 1, onOutput: () => {}, ...fields,
  });
  const key = (fields: Partial<BuildRequest> = {}) => buildKey({ request: request(fields), imageId: async () => baseId });
  const first = await key();
  assert.match(first, /^[0-9a-f]{64}$/);
  assert.equal(await key({ tag: 'y:2' }), first, 'the tag is not an input');
  await writeFile(join(dir, '.git/index'), 'checkout state');
  await utimes(join(dir, 'src/a'), 1, 1);
  assert.equal(await key(), first, 'the root .git and mtimes are not inputs');
  const changed = new Set([first]);
  const expectNew = (k: string, what: string) => {
    assert.ok(!changed.has(k), `${what} changes the key`);
    changed.add(k);
  };
  expectNew(await key({ buildArgs: { COMMIT: 'b' } }), 'a build arg');
  expectNew(await key({ buildArgs: { COMMIT: 'a', OTHER: '' } }), 'another build arg');
  expectNew(await key({ timestamp: 2 }), 'the timestamp');
  expectNew(await key({ timestamp: undefined }), 'no timestamp');
  baseId = 'id2';
  expectNew(await key(), 'the base image');
  await writeFile(join(dir, 'src/a'), 'b');
  expectNew(await key(), 'a file\'s bytes');
  await symlink('a', join(dir, 'src/link'));
  expectNew(await key(), 'a new symlink');
  await writeFile(join(dir, 'Containerfile'), 'FROM base\nARG COMMIT=x\nENV COMMIT=$COMMIT\n');
  expectNew(await key(), 'the Containerfile');
});
